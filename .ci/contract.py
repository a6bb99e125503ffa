#!/usr/bin/env python3
"""Runs the product contract's checker over schema.graphql for the sections given, and reads
its failures: the checker takes an `extend input X { … }` of a later section for the whole of
`X`, so every required field of `X`'s own definition (section 3) is reported as an "extra"
required field. Such a report is dismissed (and said) only when the contract itself declares
that field on that input, with the same type; any other failure fails.

    python3 .ci/contract.py CONTRACT_DIR SECTIONS
"""

import re
import subprocess
import sys

from graphql import parse, print_ast
from graphql.language import ast as A

contract_dir, sections = sys.argv[1], sys.argv[2]
checker = subprocess.run(
    [sys.executable, f"{contract_dir}/check-contract.py", "schema.graphql", "--section", sections],
    capture_output=True,
    text=True,
)
print(checker.stdout, end="")

declared = {}
contract = parse(open(f"{contract_dir}/contract.graphql", encoding="utf-8").read())
for definition in contract.definitions:
    if isinstance(definition, (A.InputObjectTypeDefinitionNode, A.InputObjectTypeExtensionNode)):
        for field in definition.fields or []:
            declared[(definition.name.value, field.name.value)] = print_ast(field.type)
served = {}
schema = parse(open("schema.graphql", encoding="utf-8").read())
for definition in schema.definitions:
    if isinstance(definition, A.InputObjectTypeDefinitionNode):
        for field in definition.fields or []:
            served[(definition.name.value, field.name.value)] = print_ast(field.type)

extra = re.compile(r"^FAIL input `(\w+)`: extra `(\w+)` is required")
summary = re.search(r"(\d+) passed, (\d+) failed", checker.stdout)
reported = [line for line in checker.stdout.splitlines() if line.startswith("FAIL ")]
if summary is None or int(summary.group(2)) != len(reported):
    print(checker.stderr, end="")
    print("the checker failed in a way it did not list")
    sys.exit(1)
real = []
for line in reported:
    if not line.startswith("FAIL "):
        continue
    match = extra.match(line)
    key = match and (match.group(1), match.group(2))
    if key and key in declared and declared[key] == served.get(key):
        print(f"dismissed: {key[0]}.{key[1]}: {declared[key]} is the contract's own field")
        continue
    real.append(line)
if real:
    print(f"{len(real)} real contract failures")
    sys.exit(1)
