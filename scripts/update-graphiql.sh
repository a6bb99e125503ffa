#!/usr/bin/env bash
# Re-downloads the vendored GraphiQL playground (assets/graphiql/) from the npm registry, pinned
# to exact versions, and rewrites assets/graphiql/VERSIONS (package@version and sha256 per file).
#
# Usage: scripts/update-graphiql.sh [GRAPHIQL_VERSION [REACT_VERSION [EXPLORER_VERSION [GRAPHQL_WS_VERSION]]]]
#
# Without arguments it fetches the pinned versions below again (the files must not change).
# GraphiQL 5 and later ship no UMD build, and React 19 and later ship none either, so newer
# major versions need a bundler rather than this script. After an update, run
# `cargo test --test browser` (it drives the playground in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

graphiql="${1:-4.1.2}"
react="${2:-18.3.1}"
explorer="${3:-4.0.6}"
# The WebSocket client GraphiQL runs subscriptions with (its UMD build has none built in).
graphql_ws="${4:-6.4.2}"

out=assets/graphiql
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# file served as /graphiql/<file> | package | version | path inside the package
files="
graphiql.min.js|graphiql|$graphiql|graphiql.min.js
graphiql.min.css|graphiql|$graphiql|graphiql.min.css
react.production.min.js|react|$react|umd/react.production.min.js
react-dom.production.min.js|react-dom|$react|umd/react-dom.production.min.js
plugin-explorer.umd.js|@graphiql/plugin-explorer|$explorer|dist/index.umd.js
plugin-explorer.css|@graphiql/plugin-explorer|$explorer|dist/style.css
graphql-ws.min.js|graphql-ws|$graphql_ws|umd/graphql-ws.min.js
"

# Unpacks package@version (npm checks the tarball against the registry's integrity hash).
unpack() {
  local dir="$work/${1//\//_}@$2"
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz)
  fi
  echo "$dir/package"
}

versions="$work/VERSIONS"
{
  echo "# The vendored GraphiQL playground, served by src/playground.rs as /graphiql/<file>."
  echo "# Written by scripts/update-graphiql.sh from the npm registry; do not edit by hand."
  echo "# file  package@version  path-in-package  sha256"
} >"$versions"
while IFS='|' read -r file package version path; do
  [ -n "$file" ] || continue
  source="$(unpack "$package" "$version")/$path"
  if [ ! -f "$source" ]; then
    echo "error: $package@$version has no $path (no UMD build in this version?)" >&2
    exit 1
  fi
  cp "$source" "$work/$file"
  sha="$(sha256sum "$work/$file" | cut -d' ' -f1)"
  printf '%s  %s@%s  %s  %s\n' "$file" "$package" "$version" "$path" "$sha" >>"$versions"
done <<<"$files"
cp "$(unpack graphiql "$graphiql")/LICENSE" "$work/LICENSE.graphiql"
cp "$(unpack react "$react")/LICENSE" "$work/LICENSE.react"
cp "$(unpack graphql-ws "$graphql_ws")/LICENSE.md" "$work/LICENSE.graphql-ws"

mkdir -p "$out"
while IFS='|' read -r file _; do
  [ -n "$file" ] && cp "$work/$file" "$out/$file"
done <<<"$files"
cp "$work/LICENSE.graphiql" "$work/LICENSE.react" "$work/LICENSE.graphql-ws" "$work/VERSIONS" "$out/"
cat "$out/VERSIONS"
du -ch "$out"/*.js "$out"/*.css | tail -1
