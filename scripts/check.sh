#!/usr/bin/env bash
# Every check, in order: lint and format, types, import cycles, docs examples, API reference and
# doc links, build, package checks (publint, attw), the built packages on the oldest supported
# Node, unit and integration tests. Runs every step even after a failure, prints what failed, and ends with one
# line summing the whole suite: `N passed, N failed[, N skipped]` (tests plus the checks above).
# Extra arguments go to vitest (e.g. `./scripts/check.sh packages/webhooks`).
set -uo pipefail
# Plain output when not on a terminal (CI logs): no ANSI colours; never npm's update, fund or
# audit notices. Set before env.sh so the bootstrap's own npm and pnpm runs are plain too.
if [ ! -t 1 ]; then export NO_COLOR=1 FORCE_COLOR=0; fi
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
source "$(dirname "$0")/env.sh" || exit 1

passed=0 failed=0 skipped=0 failures=()
step() { # step NAME COMMAND...
  local name=$1 start=$SECONDS
  shift
  echo "── $name"
  if "$@"; then
    passed=$((passed + 1))
    echo "   ok: $name ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "   FAILED: $name ($((SECONDS - start)) s)"
  fi
}

quiet() { # quiet COMMAND...: its output only when it fails (the step's ok line says it passed)
  local log status
  log=$(mktemp)
  "$@" >"$log" 2>&1
  status=$?
  [ $status = 0 ] || cat "$log"
  rm -f "$log"
  return $status
}

ensure_redis() {
  command -v redis-server >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing redis-server from Debian's packages (integration tests need a real Redis)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null
  else
    echo "redis-server is missing: install it (e.g. 'sudo apt-get install redis-server'); tests that need it will fail" >&2
    return 1
  fi
}

package_checks() {
  local out status=0 dir tgz
  out=$(mktemp -d)
  for dir in packages/*/; do
    (cd "$dir" && pnpm pack --pack-destination "$out" >/dev/null) || { status=1; continue; }
  done
  for tgz in "$out"/*.tgz; do
    local ok=1
    publint run "$tgz" --strict >"$out/log" 2>&1 || { cat "$out/log"; ok=0; }
    attw "$tgz" --profile esm-only >"$out/log" 2>&1 || { cat "$out/log"; ok=0; }
    tar -xzOf "$tgz" package/package.json | node scripts/check-packed-manifest.mjs "$(basename "$tgz")" || ok=0
    [ $ok = 1 ] && echo "   $(basename "$tgz"): publint and attw ok" || status=1
  done
  rm -rf "$out"
  return $status
}

# The API reference (TypeDoc, warnings as errors: broken {@link}s, unexported or undocumented
# public symbols) and every relative link in the READMEs and docs/.
docs_reference() {
  local status=0
  node tools/typedoc/api.ts || status=1
  node scripts/check-links.ts || status=1
  return $status
}

tests() {
  rm -f .vitest-results.json
  if [ -t 1 ]; then
    vitest run --reporter=default --reporter=json --outputFile=.vitest-results.json "$@"
  else # the json reporter's "JSON report written to …" line is ours to read, not the log's
    vitest run --reporter=default --reporter=json --outputFile=.vitest-results.json "$@" |
      grep -v '^JSON report written to '
    return "${PIPESTATUS[0]}"
  fi
}

step "redis-server present" ensure_redis
step "lint and format (biome)" biome ci --reporter=summary --colors="$([ -t 1 ] && echo force || echo off)" .
step "types (tsc)" tsc -p tsconfig.json
# Runtime cycles only: `import type` is erased at build time (.madgerc skips it).
step "no import cycles (madge)" quiet madge --circular --no-spinner --no-color --extensions ts packages/*/src
step "docs examples compile" node scripts/check-examples.ts
step "API reference and doc links (typedoc, relative links)" docs_reference
step "build" quiet pnpm -r --filter './packages/*' run build
step "package checks (publint --strict, attw esm-only)" package_checks
step "built packages on the oldest supported Node (22.11)" bash scripts/oldest-node.sh
tests "$@"
test_status=$?

if [ -f .vitest-results.json ]; then
  read -r t_pass t_fail t_skip < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(".vitest-results.json", "utf8"));
    const suitesFailed = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
    console.log(r.numPassedTests, r.numFailedTests + suitesFailed, r.numPendingTests + r.numTodoTests);')
else
  t_pass=0 t_fail=1 t_skip=0
fi
if [ "$test_status" != 0 ] && [ "$t_fail" = 0 ]; then t_fail=1; fi
passed=$((passed + t_pass)) failed=$((failed + t_fail)) skipped=$((skipped + t_skip))
[ ${#failures[@]} -gt 0 ] && echo "failed checks: ${failures[*]}"
[ "$test_status" != 0 ] && echo "tests failed (vitest exit $test_status)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
