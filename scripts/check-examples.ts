// Compiles every TypeScript example in the docs, so none can rot: the ```ts blocks of each
// package README and of docs/*.md, and the ```ts blocks inside TSDoc `@example`s in package
// sources. Each block becomes one module under test/.examples/ (ignored by git) and the lot is
// type-checked with tsc against the packages' public entry points. A block fenced as
// ```ts ignore is a fragment and is skipped.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, 'test', '.examples');

function* files(dir: string, match: (name: string) => boolean): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path, match);
    else if (match(name)) yield path;
  }
}

function blocks(text: string): string[] {
  const found: string[] = [];
  const fence = /^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```/gm;
  for (const m of text.matchAll(fence)) if (!/\bignore\b/.test(m[2] ?? '')) found.push(m[3] ?? '');
  return found;
}

function tsdocBlocks(source: string): string[] {
  const found: string[] = [];
  for (const comment of source.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const body = (comment[1] ?? '').replace(/^[ \t]*\* ?/gm, '');
    if (body.includes('@example')) found.push(...blocks(body));
  }
  return found;
}

const sources: [string, string[]][] = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', pkg);
  for (const readme of files(dir, (n) => n === 'README.md')) {
    sources.push([readme, blocks(readFileSync(readme, 'utf8'))]);
  }
  for (const file of files(join(dir, 'src'), (n) => n.endsWith('.ts'))) {
    sources.push([file, tsdocBlocks(readFileSync(file, 'utf8'))]);
  }
}
for (const doc of files(join(root, 'docs'), (n) => n.endsWith('.md'))) {
  sources.push([doc, blocks(readFileSync(doc, 'utf8'))]);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let count = 0;
for (const [file, found] of sources) {
  found.forEach((code, i) => {
    const name = `${relative(root, file).replace(/[^\w]+/g, '_')}_${i + 1}.ts`;
    // `export {}` makes every block a module (top-level await, no global clashes).
    writeFileSync(join(out, name), `// from ${relative(root, file)}\n${code}\nexport {};\n`);
    count++;
  });
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../../tsconfig.base.json',
    compilerOptions: {
      noEmit: true,
      isolatedDeclarations: false,
      declaration: false,
      noUnusedLocals: false,
    },
    include: ['*.ts'],
  }),
);
try {
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(out, 'tsconfig.json')], {
    stdio: 'inherit',
    cwd: root,
  });
  process.stdout.write(
    `   ${count} examples from ${sources.filter(([, b]) => b.length).length} files compile\n`,
  );
} catch {
  process.stdout.write(`   examples failed to compile (sources in ${relative(root, out)}/)\n`);
  process.exitCode = 1;
}
