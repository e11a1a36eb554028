# Sourced by env.sh and oldest-node.sh: `install_tool DIR PACKAGE@VERSION…` installs packages from
# the npm registry into DIR (its own node_modules, no lockfile). It keeps the machine's npm
# configuration: `npm install --prefix DIR` alone would read the *global* npmrc from DIR/etc/npmrc,
# dropping a CA file or proxy set in the system npmrc (behind a TLS-intercepting proxy the install
# then fails with SELF_SIGNED_CERT_IN_CHAIN after minutes of retries), so the system npmrc is passed
# explicitly (env.sh exports it as npm_config_globalconfig before it changes PATH, so npm under the
# new Node, pnpm and later scripts read it too). It pings the registry first, without retries and
# with a short timeout (PORTCULLIS_REGISTRY_TIMEOUT_MS, default 10000), so an unreachable registry
# or an untrusted proxy certificate fails in seconds with a message naming the cause.
install_tool() {
  local dir=$1 globalconfig registry timeout=${PORTCULLIS_REGISTRY_TIMEOUT_MS:-10000} start=$SECONDS
  shift
  globalconfig=${npm_config_globalconfig:-$(npm config get globalconfig 2>/dev/null)}
  registry=$(npm config get registry --globalconfig "$globalconfig" 2>/dev/null)
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{ "private": true }' >"$dir/package.json"
  echo "portcullis: checking the npm registry ($registry)…" >&2
  if ! npm ping --globalconfig "$globalconfig" --fetch-retries=0 --fetch-timeout="$timeout" \
    --no-update-notifier >/dev/null 2>"$dir/ping.log"; then
    echo "portcullis: cannot reach the npm registry ($registry) within $((timeout / 1000)) s:" >&2
    grep -m 3 -E 'code|reason|request to|timeout|ETIMEDOUT' "$dir/ping.log" >&2 || sed -n '1,3p' "$dir/ping.log" >&2
    if grep -qE 'CERT|certificate' "$dir/ping.log"; then
      echo "portcullis: the registry's certificate is not trusted: behind a TLS-intercepting proxy, point npm at its CA (cafile=/path/to/ca.pem in $globalconfig or ~/.npmrc)." >&2
    else
      echo "portcullis: check the network and the registry / proxy settings in your npm config ('npm config list')." >&2
    fi
    return 1
  fi
  echo "portcullis: downloading $* (about 30 MB, once; npm shows progress on a terminal)…" >&2
  if ! npm install --prefix "$dir" --globalconfig "$globalconfig" --no-save --no-audit --no-fund \
    --no-package-lock --no-update-notifier --loglevel=error --fetch-retries=2 "$@" >/dev/null; then
    echo "portcullis: installing $* into $dir failed (see npm's message above)" >&2
    return 1
  fi
  echo "portcullis: installed $* in $((SECONDS - start)) s" >&2
}
