// Bytes of the built files `@portcullis/webhooks/verify` loads (its own and @portcullis/core's),
// following static imports from dist/verify.js. Needs `pnpm run build` in this package and core.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'rolldown';

const here = dirname(fileURLToPath(import.meta.url));
const pkgRoot = resolve(here, '..');
const coreRoot = resolve(pkgRoot, '../core');
const IMPORT =
  /(?:^|[;\n])\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]/g;

/** The code without comments (tsc keeps TSDoc in its output): block comments and whole-line `//` comments. */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/\n\s*\n/g, '\n');
}

function graph(entry: string): { files: string[]; thirdParty: string[] } {
  const seen = new Set<string>();
  const thirdParty = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of code(file).matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) stack.push(resolve(dirname(file), spec));
      else if (spec === '@portcullis/core') stack.push(join(coreRoot, 'dist/index.js'));
      else if (!spec.startsWith('node:')) thirdParty.add(spec);
    }
  }
  return { files: [...seen], thirdParty: [...thirdParty] };
}

/** Size of `entry` bundled with everything it imports, minified, as an edge deployment ships it. */
async function minified(entry: string): Promise<string> {
  const result = await build({
    input: join(pkgRoot, entry),
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
    output: { format: 'esm', minify: true },
  });
  const text = result.output.map((chunk) => ('code' in chunk ? chunk.code : '')).join('');
  return `${Buffer.byteLength(text)} bytes, ${gzipSync(text).length} gzipped`;
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
  const stripped = (list: string[]): string => list.map(code).join('\n');
  const describe = (list: string[]): string =>
    `${list.length} files, ${bytes(list)} bytes as built, ${Buffer.byteLength(stripped(list))} without comments, ` +
    `${gzipSync(stripped(list)).length} gzipped`;
  return [
    `verify-only entry (@portcullis/webhooks/verify), everything it loads: ${describe(files)}`,
    `  of which webhooks: ${describe(own)}`,
    `  of which @portcullis/core: ${describe(core)}`,
    `  webhooks files: ${own.map((f) => relative(pkgRoot, f)).join(', ')}`,
    `  bundled and minified (rolldown, tree-shaken, @portcullis/core included): ${await minified('dist/verify.js')}`,
    `  for comparison, the full entry (@portcullis/webhooks) bundled and minified: ${await minified('dist/index.js')}`,
    `  third-party imports: ${thirdParty.length === 0 ? 'none' : thirdParty.join(', ')}`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await measureVerifyEntry());
