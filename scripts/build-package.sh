#!/usr/bin/env bash
# The one build every package runs (its "build" script): src/ → dist/ as ESM JavaScript and .d.ts,
# with tsc and tsconfig.base.json. Run from the package's folder.
set -euo pipefail
rm -rf dist
tsc -p tsconfig.json
# Declarations keep the sources' './x.ts' specifiers; point them at the emitted './x.js' so every
# TypeScript version and resolution mode reads them.
find dist -name '*.d.ts' -exec sed -i -E \
  -e "s#((from|import\() *'\.{1,2}/[^']*)\.ts'#\1.js'#g" {} +
