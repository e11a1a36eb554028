// Generates the API reference from TSDoc: `pnpm docs:api` at the root writes docs/api/ (ignored
// by git). Every public entry point of every package is documented: the entry files are read
// from each package's `exports` map (the `@portcullis/source` condition), so a new package or
// subpath is picked up without editing this file. Each module is named as a consumer imports it
// (`@portcullis/webhooks/verify`). TypeDoc's validation runs with warnings as errors: a broken
// `{@link}`, a public type that is not exported, or an undocumented export fails the run.
//
// TypeDoc needs the TypeScript compiler's JS API. TypeScript 7 (the native compiler the
// repository type-checks with) has none, so TypeDoc runs on the `typescript` 6.0 that this
// private workspace depends on; the language the packages use is the same.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Application, LogLevel, ReflectionKind } from 'typedoc';

const root = join(import.meta.dirname, '..', '..');
const packagesDir = join(root, 'packages');
const out = join(root, 'docs', 'api');

interface Manifest {
  name: string;
  private?: boolean;
  exports?: Record<string, null | string | Record<string, string>>;
}

/** Entry file (absolute) → the specifier a consumer imports it by. */
function entryPoints(): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of readdirSync(packagesDir).sort()) {
    const manifest: Manifest = JSON.parse(
      readFileSync(join(packagesDir, dir, 'package.json'), 'utf8'),
    );
    if (manifest.private) continue;
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (target === null || typeof target === 'string') continue;
      const source = target['@portcullis/source'];
      if (source === undefined) continue;
      const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
      found.set(join(packagesDir, dir, source), specifier);
    }
  }
  return found;
}

/** TypeDoc's own display name for an entry file (see its `getModuleName`), to map it back. */
function displayName(file: string): string {
  return relative(packagesDir, file)
    .split('\\')
    .join('/')
    .replace(/(\/index)?\.ts$/, '');
}

/** `@portcullis/webhooks/verify` → `@portcullis/webhooks`. */
function packageOf(specifier: string): string {
  return specifier.split('/').slice(0, 2).join('/');
}

export async function generateApiReference(): Promise<boolean> {
  const entries = entryPoints();
  const app = await Application.bootstrapWithPlugins({
    name: 'Portcullis API reference',
    entryPoints: [...entries.keys()],
    entryPointStrategy: 'resolve',
    displayBasePath: packagesDir,
    tsconfig: join(import.meta.dirname, 'tsconfig.json'),
    readme: 'none',
    out,
    excludePrivate: true,
    excludeInternal: true,
    // The packages' sources are type-checked by TypeScript 7 in `check.sh`'s types step.
    skipErrorChecking: true,
    githubPages: false,
    // Source links point at the public repository, whatever this clone's remote is (a CI clone's
    // origin is a local path, which TypeDoc would warn about).
    sourceLinkTemplate:
      'https://github.com/portcullis-sdk/portcullis/blob/{gitRevision}/{path}#L{line}',
    hideGenerator: true,
    logLevel: LogLevel.Warn,
    treatWarningsAsErrors: true,
    treatValidationWarningsAsErrors: true,
    validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: true },
    // Members of exported interfaces and classes need no comment of their own when the type
    // says it all; every exported symbol itself must be documented.
    requiredToBeDocumented: [
      'Class',
      'Function',
      'Interface',
      'TypeAlias',
      'Variable',
      'Enum',
      'Namespace',
    ],
    packagesRequiringDocumentation: [...new Set([...entries.values()].map(packageOf))],
    sort: ['kind', 'instance-first', 'alphabetical-ignoring-documents'],
  });
  const project = await app.convert();
  if (!project) return false;
  const names = new Map([...entries].map(([file, specifier]) => [displayName(file), specifier]));
  for (const module of project.getChildrenByKind(ReflectionKind.Module)) {
    module.name = names.get(module.name) ?? module.name;
  }
  app.validate(project);
  if (app.logger.hasErrors() || app.logger.hasWarnings()) return false;
  await app.generateDocs(project, out);
  if (app.logger.hasErrors() || app.logger.hasWarnings()) return false;
  process.stdout.write(
    `   API reference for ${entries.size} entry points in ${relative(root, out)}/\n`,
  );
  return true;
}

if (import.meta.main) {
  if (!(await generateApiReference())) process.exitCode = 1;
}
