// Runs the GraphQL-over-HTTP audit suite of the graphql-http package against a live agora and
// fails on any failure or warning. Usage: node audit.mjs http://127.0.0.1:PORT/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint URL>');
  process.exit(2);
}
const results = await auditServer({ url });
let failures = 0;
let warnings = 0;
for (const result of results) {
  if (result.status === 'ok') continue;
  if (result.status === 'error') failures += 1;
  else warnings += 1;
  console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}: ${result.reason}`);
}
console.log(`${results.length} audits: ${failures} failures, ${warnings} warnings (${url})`);
process.exit(failures + warnings > 0 ? 1 : 0);
