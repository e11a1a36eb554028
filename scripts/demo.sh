#!/usr/bin/env bash
# Runs the demo (examples/demo) from source, bootstrapping the toolchain first.
set -euo pipefail
source "$(dirname "$0")/env.sh"
exec pnpm --filter @portcullis-examples/demo run start
