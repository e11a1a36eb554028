// `@portcullis/oauth/verifier` must not load openid-client (nor the token provider): a child
// Node process imports the entry with a resolve hook recording every module it loads.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

function modulesLoadedBy(specifier: string): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({ resolve(spec, context, next) { const r = next(spec, context); seen.push(r.url); return r; } });
    const entry = await import(${JSON.stringify(specifier)});
    if (typeof entry.createAccessTokenVerifier !== 'function') throw new Error('no verifier');
    process.stdout.write(JSON.stringify(seen));
  `;
  const out = execFileSync(
    process.execPath,
    ['--conditions=@portcullis/source', '--input-type=module', '--eval', script],
    { cwd: packageDir, encoding: 'utf8', timeout: 20_000 },
  );
  return JSON.parse(out) as string[];
}

describe('the verify-only entry', () => {
  it('@portcullis/oauth/verifier loads neither openid-client nor the token provider', () => {
    const loaded = modulesLoadedBy('@portcullis/oauth/verifier');
    expect(loaded.some((url) => url.includes('/jose/'))).toBe(true);
    expect(loaded.filter((url) => url.includes('/openid-client/'))).toEqual([]);
    expect(
      loaded.filter((url) => /\/src\/(token|internal\/(source|fleet|http|auth))\//.test(url)),
    ).toEqual([]);
  });

  it('the main entry does load openid-client (the check above can fail)', () => {
    const loaded = modulesLoadedBy('@portcullis/oauth');
    expect(loaded.some((url) => url.includes('/openid-client/'))).toBe(true);
  });
});
