#!/usr/bin/env bash
# Packs every published package into packed/ as the registry would get it (dist/ built, the
# packed package.json without scripts or devDependencies), so a consumer can install one before
# the packages are on the registry:   npm install ./packed/portcullis-webhooks-0.1.0.tgz
# (install @portcullis/core's tarball alongside: the packages depend on it by exact version).
set -euo pipefail
source "$(dirname "$0")/env.sh"
out="$PWD/packed"
rm -rf "$out" && mkdir -p "$out"
pnpm -r --filter './packages/*' run build >/dev/null
for dir in packages/*/; do
  (cd "$dir" && pnpm pack --pack-destination "$out" >/dev/null)
done
ls -1 "$out"
