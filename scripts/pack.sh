#!/usr/bin/env bash
# Packs the published packages into packed/ as the registry would get them (dist/ built, the
# packed package.json without scripts or devDependencies, workspace:* dependencies rewritten to
# exact versions), so a consumer can install them before they are on the registry:
#   ./scripts/pack.sh                  # every package
#   ./scripts/pack.sh core webhooks    # only these (folder names under packages/)
#   npm install ./packed/portcullis-core-0.1.0.tgz ./packed/portcullis-webhooks-0.1.0.tgz
# Install @portcullis/core's tarball alongside (every package depends on it by exact version),
# and any other @portcullis package the one you want depends on; third-party dependencies come
# from the registry as usual. PACK_DESTINATION=<dir> writes the tarballs elsewhere.
set -euo pipefail
source "$(dirname "$0")/env.sh"
out=${PACK_DESTINATION:-$PWD/packed}
names=("$@")
if [ ${#names[@]} = 0 ]; then
  for dir in packages/*/; do names+=("$(basename "$dir")"); done
fi
filters=()
for name in "${names[@]}"; do
  [ -f "packages/$name/package.json" ] || { echo "pack.sh: no package in packages/$name" >&2; exit 2; }
  filters+=(--filter "./packages/$name")
done
mkdir -p "$out" && rm -f "$out"/portcullis-*.tgz
pnpm -r "${filters[@]}" --silent run build
for name in "${names[@]}"; do
  (cd "packages/$name" && pnpm pack --pack-destination "$out" >/dev/null)
done
ls -1 "$out"
