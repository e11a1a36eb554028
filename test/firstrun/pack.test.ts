// scripts/pack.sh makes tarballs a consumer installs with plain npm before the packages are on the
// registry (issue 13): three packages packed, installed from the tarballs into an empty project
// (third-party dependencies, here cockatiel, from the registry or npm's cache), then imported by
// Node from dist/ — no workspace: ranges, no scripts or devDependencies, internals blocked.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const PACKAGES = ['core', 'webhooks', 'resilience'];

const CONSUMER = `
import { isPortcullisError } from '@portcullis/core';
import { createSigner, createVerifier, generateSecret } from '@portcullis/webhooks';
import { createPipeline } from '@portcullis/resilience';
const secret = generateSecret();
const body = '{"type":"invoice.paid"}';
const headers = await createSigner({ secrets: secret }).sign({ body });
const verified = await createVerifier({ secrets: secret }).verify({ headers, body });
let forged;
try {
  await createVerifier({ secrets: generateSecret() }).verify({ headers, body });
} catch (error) {
  forged = isPortcullisError(error) ? error.code : String(error);
}
const answer = await createPipeline().execute(async () => 42);
let internal;
try {
  await import('@portcullis/webhooks/internal/anything.js');
} catch (error) {
  internal = error.code;
}
console.log(JSON.stringify({ id: typeof verified.id, forged, answer, internal }));
`;

describe('packed tarballs (scripts/pack.sh) in a plain npm project', () => {
  let dir: string;
  let packed: string;
  let consumer: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-pack-'));
    packed = join(dir, 'packed');
    consumer = join(dir, 'consumer');
    await run('bash', ['scripts/pack.sh', ...PACKAGES], {
      cwd: root,
      env: { ...process.env, PACK_DESTINATION: packed },
      timeout: 120_000,
    });
  }, 150_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs with npm from the tarballs and imports from dist', async () => {
    await run('mkdir', ['-p', consumer]);
    writeFileSync(
      join(consumer, 'package.json'),
      '{ "name": "consumer", "private": true, "type": "module" }\n',
    );
    writeFileSync(join(consumer, 'index.mjs'), CONSUMER);
    const tarballs = PACKAGES.map((name) => join(packed, `portcullis-${name}-0.1.0.tgz`));
    const install = await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs],
      { cwd: consumer, timeout: 120_000 },
    );
    expect(install.stderr).toBe('');

    const manifest = JSON.parse(
      readFileSync(join(consumer, 'node_modules/@portcullis/webhooks/package.json'), 'utf8'),
    );
    expect(manifest.dependencies).toEqual({ '@portcullis/core': '0.1.0' });
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.devDependencies).toBeUndefined();
    expect(manifest.exports['.']).toEqual({
      types: './dist/index.d.ts',
      default: './dist/index.js',
    });
    // cockatiel, resilience's one third-party dependency, came from the registry.
    readFileSync(join(consumer, 'node_modules/cockatiel/package.json'), 'utf8');
    await run('npm', ['ls', '--all'], { cwd: consumer, timeout: 30_000 }); // exits non-zero on a broken tree

    const { stdout } = await run(process.execPath, ['index.mjs'], {
      cwd: consumer,
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      id: 'string',
      forged: 'ERR_WEBHOOK_SIGNATURE_MISMATCH',
      answer: 42,
      internal: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  }, 150_000);
});
