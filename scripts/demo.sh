#!/usr/bin/env bash
# Runs the demo (examples/demo) from source, bootstrapping the toolchain first. Flags go to the
# demo: `./scripts/demo.sh --scene webhooks`, `--json`, `--help`. Its fleet scene needs Debian's
# redis-server: installed here when missing and run as root, otherwise the scene says how.
set -euo pipefail
source "$(dirname "$0")/env.sh"
if ! command -v redis-server >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "portcullis: installing redis-server from Debian's packages (the fleet scene needs a real Redis)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null
fi
exec node --conditions=@portcullis/source examples/demo/src/main.ts "$@"
