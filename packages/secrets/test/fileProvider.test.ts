import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretsCache, FileProvider } from '@portcullis/secrets';
import { afterEach, describe, expect, it } from 'vitest';

const dirs: string[] = [];
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-secrets-'));
  dirs.push(dir);
  return dir;
}

/** Waits (bounded, on real time: file watching is real) until `check` holds. */
async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Writes a Kubernetes-style projected secret volume: <name> → ..data/<name>, ..data → ..<ts>. */
function kubeWrite(dir: string, generation: number, files: Record<string, string>): void {
  const target = `..2026_03_01_00_00_0${generation}.${1000 + generation}`;
  mkdirSync(join(dir, target));
  for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, target, name), value);
  symlinkSync(target, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data')); // the atomic swap AtomicWriter does
  for (const name of Object.keys(files)) {
    try {
      symlinkSync(join('..data', name), join(dir, name));
    } catch {
      // already linked from an earlier generation
    }
  }
}

describe('FileProvider', () => {
  it('reads Docker/Compose secrets (/run/secrets layout): trailing newline dropped, stages by suffix, binary by content', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'db_password'), 's3cret\n');
    writeFileSync(join(dir, 'db_password.previous'), 'old\r\n');
    writeFileSync(join(dir, 'tls.key'), Buffer.from([0xff, 0xfe, 0x00, 0x80]));
    const p = new FileProvider({ directory: dir, settleMs: 0 });
    expect((await p.get('db_password')).value.reveal()).toBe('s3cret');
    expect((await p.get('db_password', { stage: 'previous' })).value.reveal()).toBe('old');
    expect((await p.get('tls.key')).value.reveal()).toBeInstanceOf(Uint8Array);
    expect((await p.listVersions('db_password')).map((v) => v.stages)).toEqual([
      ['current'],
      ['previous'],
    ]);
    await expect(p.get('db_password', { stage: 'pending' })).rejects.toMatchObject({
      code: 'ERR_SECRET_NOT_FOUND',
    });
  });

  it('refuses names that escape the directory or carry a stage suffix, without touching the disk', async () => {
    const p = new FileProvider({ directory: tempDir() });
    for (const bad of [
      '../etc/passwd',
      '/etc/passwd',
      'a/b',
      '..data',
      '.hidden',
      'x.previous',
      '',
    ]) {
      await expect(p.get(bad), bad).rejects.toMatchObject({ code: 'ERR_SECRET_NOT_FOUND' });
    }
  });

  it('an empty file (a writer that truncated and has not written yet) is a transient error, never served', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'token'), '');
    const p = new FileProvider({ directory: dir, settleMs: 0 });
    await expect(p.get('token')).rejects.toMatchObject({ code: 'ERR_SECRET_PROVIDER_UNAVAILABLE' });
  });

  it('a file being written in place is read only once it has settled: never half of it', async () => {
    const dir = tempDir();
    const path = join(dir, 'api-key');
    writeFileSync(path, 'old-value-old-value');
    const p = new FileProvider({ directory: dir, settleMs: 150 });
    const handle = await open(path, 'w'); // truncate, as an in-place writer does
    await handle.write('new-value-');
    const reading = p.get('api-key'); // mid-write
    await new Promise((r) => setTimeout(r, 40));
    await handle.write('new-value');
    await handle.close();
    expect((await reading).value.reveal()).toBe('new-value-new-value');
  });

  it('files larger than maxBytes are refused', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'big'), 'x'.repeat(100));
    const p = new FileProvider({ directory: dir, maxBytes: 10, settleMs: 0 });
    await expect(p.get('big')).rejects.toMatchObject({ code: 'ERR_SECRET_INVALID' });
  });

  it('a mounted Kubernetes secret: the watcher survives ..data swaps and the cache sees each new value', async () => {
    const dir = tempDir();
    kubeWrite(dir, 1, { 'api-key': 'generation-1' });
    const provider = new FileProvider({ directory: dir, settleMs: 20, pollIntervalMs: 60_000 });
    const cache = createSecretsCache(provider, { ttlMs: 3_600_000 });
    closers.push(
      () => cache.close(),
      () => provider.close(),
    );
    const seen: string[] = [];
    cache.onChange('api-key', (c) => seen.push(String(c.version.value.reveal())));
    expect((await cache.get('api-key')).reveal()).toBe('generation-1');
    for (const generation of [2, 3, 4]) {
      kubeWrite(dir, generation, { 'api-key': `generation-${generation}` });
      await eventually(
        `generation ${generation}`,
        async () => (await cache.get('api-key')).reveal() === `generation-${generation}`,
      );
    }
    expect(seen).toEqual(['generation-2', 'generation-3', 'generation-4']);
  });

  it('a Vault Agent / CSI style rename-into-place is picked up by polling when watching is off', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'db'), 'v1');
    const provider = new FileProvider({
      directory: dir,
      watch: 'poll',
      pollIntervalMs: 30,
      settleMs: 0,
    });
    const cache = createSecretsCache(provider, { ttlMs: 3_600_000 });
    closers.push(
      () => cache.close(),
      () => provider.close(),
    );
    expect((await cache.get('db')).reveal()).toBe('v1');
    writeFileSync(join(dir, '.db.tmp'), 'v2');
    renameSync(join(dir, '.db.tmp'), join(dir, 'db'));
    await eventually('v2 by polling', async () => (await cache.get('db')).reveal() === 'v2');
  });

  it('with watch "off" nothing changes until the TTL; close() is idempotent', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'db'), 'v1');
    const provider = new FileProvider({ directory: dir, watch: 'off' });
    const stop = provider.watch(() => {});
    stop();
    provider.close();
    provider.close();
    expect(() => new FileProvider({ directory: dir, watch: 'sometimes' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => new FileProvider({} as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});

describe('FileProvider watching, when the directory itself is replaced', () => {
  it('the cache serves the new file after the watched directory is removed and made again', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'db'), 'v1');
    const provider = new FileProvider({ directory: dir, pollIntervalMs: 30, settleMs: 0 });
    const cache = createSecretsCache(provider, { ttlMs: 3_600_000 });
    closers.push(
      () => cache.close(),
      () => provider.close(),
    );
    expect((await cache.get('db')).reveal()).toBe('v1');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(join(dir, 'db'), 'v2');
    await eventually('v2 after the directory was replaced', async () => {
      const v = await cache.get('db').catch(() => undefined);
      return v?.reveal() === 'v2';
    });
  });
});
