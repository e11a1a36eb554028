# Sourced by env.sh and oldest-node.sh: `install_tool DIR PACKAGE@VERSION…` installs packages from
# the npm registry into DIR (its own node_modules, no lockfile). It keeps the machine's npm
# configuration: `npm install --prefix DIR` alone would read the *global* npmrc from DIR/etc/npmrc,
# dropping a CA file or proxy set in the system npmrc (behind a TLS-intercepting proxy the install
# then fails with SELF_SIGNED_CERT_IN_CHAIN after minutes of retries). It checks the registry first
# so that an unreachable one fails in seconds with a clear message.
install_tool() {
  local dir=$1 globalconfig registry
  shift
  globalconfig=$(npm config get globalconfig 2>/dev/null)
  registry=$(npm config get registry 2>/dev/null)
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{ "private": true }' >"$dir/package.json"
  if ! npm ping --globalconfig "$globalconfig" --fetch-retries=1 --fetch-timeout=15000 >/dev/null 2>"$dir/ping.log"; then
    echo "portcullis: cannot reach the npm registry ($registry):" >&2
    sed -n '1,5p' "$dir/ping.log" >&2
    echo "portcullis: check the proxy / CA settings in your npm config ('npm config list')." >&2
    return 1
  fi
  echo "portcullis: downloading $* from $registry (about 30 MB, once)…" >&2
  npm install --prefix "$dir" --globalconfig "$globalconfig" --no-save --no-audit --no-fund \
    --no-package-lock --no-update-notifier --loglevel=error --fetch-retries=2 "$@" >/dev/null
}
