// Bytes of the built files `@portcullis/webhooks/verify` loads (its own and @portcullis/core's),
// following static imports from dist/verify.js. Needs `pnpm run build` in this package and core.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const pkgRoot = resolve(here, '..');
const coreRoot = resolve(pkgRoot, '../core');
const IMPORT =
  /(?:^|[;\n])\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]/g;

function graph(entry: string): { files: string[]; thirdParty: string[] } {
  const seen = new Set<string>();
  const thirdParty = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) stack.push(resolve(dirname(file), spec));
      else if (spec === '@portcullis/core') stack.push(join(coreRoot, 'dist/index.js'));
      else if (!spec.startsWith('node:')) thirdParty.add(spec);
    }
  }
  return { files: [...seen], thirdParty: [...thirdParty] };
}

/** A one-paragraph report of the verify-only entry's size. */
export async function measureVerifyEntry(): Promise<string> {
  const entry = join(pkgRoot, 'dist/verify.js');
  if (!existsSync(entry) || !existsSync(join(coreRoot, 'dist/index.js'))) {
    return 'verify-only entry size: build first (pnpm --filter @portcullis/core --filter @portcullis/webhooks run build).';
  }
  const { files, thirdParty } = graph(entry);
  const own = files.filter((f) => f.startsWith(pkgRoot));
  const core = files.filter((f) => f.startsWith(coreRoot));
  const bytes = (list: string[]): number => list.reduce((n, f) => n + readFileSync(f).length, 0);
  const gz = (list: string[]): number =>
    gzipSync(Buffer.concat(list.map((f) => readFileSync(f)))).length;
  return [
    `verify-only entry (@portcullis/webhooks/verify): ${files.length} built files, ${bytes(files)} bytes (${gz(files)} gzipped together);`,
    `  webhooks: ${own.length} files, ${bytes(own)} bytes (${gz(own)} gz): ${own.map((f) => relative(pkgRoot, f)).join(', ')}`,
    `  @portcullis/core: ${core.length} files, ${bytes(core)} bytes (${gz(core)} gz)`,
    `  third-party imports: ${thirdParty.length === 0 ? 'none' : thirdParty.join(', ')}`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await measureVerifyEntry());
