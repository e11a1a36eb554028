import { inspect } from 'node:util';
import {
  type ApiKeyRecord,
  type ApiKeys,
  createApiKeys,
  isApiKeyError,
  type KeyRepository,
  MemoryKeyRepository,
} from '@portcullis/apikeys';
import { ManualClock, reveal } from '@portcullis/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const PEPPER = 'test-pepper-that-is-at-least-32-bytes-long';

/** A repository that counts calls, so tests can tell a cache hit or a refusal without lookup. */
class CountingRepository extends MemoryKeyRepository {
  lookups = 0;
  updates: string[] = [];
  override findById(id: string): Promise<ApiKeyRecord | undefined> {
    this.lookups++;
    return super.findById(id);
  }
  override update(id: string, changes: Parameters<KeyRepository['update']>[1]): Promise<boolean> {
    this.updates.push(Object.keys(changes).join(','));
    return super.update(id, changes);
  }
}

function setup(extra: Partial<Parameters<typeof createApiKeys>[0]> = {}) {
  const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
  const repository = new CountingRepository();
  const keys = createApiKeys({ prefix: 'pc_test', pepper: PEPPER, repository, clock, ...extra });
  return { clock, repository, keys };
}

async function refusal(keys: ApiKeys, key: string, scopes?: string[]): Promise<string | undefined> {
  try {
    await keys.verify(key, scopes);
    return 'accepted';
  } catch (error) {
    if (!isApiKeyError(error)) throw error;
    return error.code === 'ERR_APIKEY_INVALID' ? error.refusal : error.code;
  }
}

describe('issue and verify', () => {
  it('issues a prefixed, checksummed base62 key that verifies with its owner and scopes', async () => {
    const { keys } = setup();
    const issued = await keys.issue({ owner: 'acme', name: 'sync', scopes: ['orders:read'] });
    const key = reveal(issued.key);
    expect(key).toMatch(/^pc_test_[0-9A-Za-z]{54}$/);
    expect(key.slice(8, 24)).toBe(issued.id);
    const verified = await keys.verify(key, ['orders:read']);
    expect(verified).toEqual({
      id: issued.id,
      owner: 'acme',
      name: 'sync',
      scopes: ['orders:read'],
      expiresAt: null,
    });
  });

  it('stores only the id and a keyed hash: the key appears nowhere in the stored record', async () => {
    const { keys, repository } = setup();
    const issued = await keys.issue({ owner: 'acme' });
    const key = reveal(issued.key);
    const record = await repository.findById(issued.id);
    expect(record?.hash).toMatch(/^[0-9a-f]{64}$/);
    const secretPart = key.slice(24, 56);
    expect(JSON.stringify(record)).not.toContain(secretPart);
    expect(inspect(issued)).not.toContain(secretPart);
  });

  it('makes unique keys with at least 128 random bits', async () => {
    const { keys } = setup();
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) seen.add(reveal((await keys.issue({ owner: 'o' })).key));
    expect(seen.size).toBe(500);
    // 32 base62 secret characters: log2(62^32) ≈ 190 bits; every character of the alphabet shows up.
    const chars = new Set([...seen].flatMap((k) => [...k.slice(24, 56)]));
    expect(chars.size).toBe(62);
  });

  it('refuses a missing scope with 403, naming the missing scopes only server-side', async () => {
    const { keys } = setup();
    const key = reveal((await keys.issue({ owner: 'acme', scopes: ['a'] })).key);
    const error = await keys.verify(key, ['a', 'b']).catch((e: unknown) => e);
    expect(isApiKeyError(error, 'ERR_APIKEY_SCOPE_MISSING')).toBe(true);
    expect((error as { status: number }).status).toBe(403);
    expect((error as { missingScopes: string[] }).missingScopes).toEqual(['b']);
    expect(JSON.stringify(error)).not.toContain('"b"');
  });
});

describe('refusals', () => {
  it('refuses a typo by checksum without a lookup', async () => {
    const { keys, repository } = setup();
    const key = reveal((await keys.issue({ owner: 'acme' })).key);
    const at = 30;
    const typo = key.slice(0, at) + (key[at] === 'a' ? 'b' : 'a') + key.slice(at + 1);
    repository.lookups = 0;
    expect(await refusal(keys, typo)).toBe('checksum');
    expect(await refusal(keys, `${key}x`)).toBe('malformed');
    expect(await refusal(keys, key.replace('pc_test', 'pc_live'))).toBe('malformed');
    expect(await refusal(keys, '')).toBe('malformed');
    expect(repository.lookups).toBe(0);
  });

  it('refuses an unknown id and a wrong secret for a known id, with the same public answer', async () => {
    const { keys, repository } = setup();
    const issued = await keys.issue({ owner: 'acme' });
    const other = createApiKeys({
      prefix: 'pc_test',
      pepper: PEPPER,
      repository: new MemoryKeyRepository(),
    });
    const stranger = reveal((await other.issue({ owner: 'x' })).key);
    expect(await refusal(keys, stranger)).toBe('unknown');
    // Same id, another secret, a valid checksum: only the hash comparison can catch it.
    const { checksum } = await import('../src/internal/format.ts');
    const head = `pc_test_${issued.id}${'Z'.repeat(32)}`;
    expect(await refusal(keys, head + checksum(head))).toBe('mismatch');
    const errors = await Promise.all(
      [stranger, head + checksum(head)].map((k) => keys.verify(k).catch((e: Error) => e)),
    );
    expect(new Set(errors.map((e) => JSON.stringify(e)))).toEqual(
      new Set([JSON.stringify(errors[0])]),
    );
    expect(repository.lookups).toBeGreaterThan(0);
  });

  it('never puts the presented key in an error, at any inspect depth', async () => {
    const { keys } = setup();
    const key = reveal((await keys.issue({ owner: 'acme' })).key);
    await keys.revoke(key.slice(8, 24));
    const error = await keys.verify(key).catch((e: unknown) => e);
    const secretPart = key.slice(24, 56);
    expect(inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(
      secretPart,
    );
    expect(JSON.stringify(error)).not.toContain(secretPart);
  });

  it('refuses anything but ApiKeyError-typed for any input, and looks up only well-formed keys', async () => {
    const { keys, repository } = setup();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'grapheme' }),
          fc.constant('pc_test_'.padEnd(62, 'A')),
        ),
        async (text) => {
          const before = repository.lookups;
          const error = await keys.verify(text).catch((e: unknown) => e);
          expect(isApiKeyError(error, 'ERR_APIKEY_INVALID')).toBe(true);
          if ((error as { refusal: string }).refusal !== 'unknown')
            expect(repository.lookups).toBe(before);
        },
      ),
    );
  });
});

describe('expiry, revocation and rotation', () => {
  it('refuses an expired key', async () => {
    const { keys, clock } = setup();
    const key = reveal((await keys.issue({ owner: 'a', expiresAt: clock.now() + 1000 })).key);
    expect(await refusal(keys, key)).toBe('accepted');
    clock.advance(1000);
    expect(await refusal(keys, key)).toBe('expired');
  });

  it('a revoked key is refused at once, though its acceptance was cached', async () => {
    const { keys } = setup({ cacheTtlMs: 60_000 });
    const issued = await keys.issue({ owner: 'a' });
    const key = reveal(issued.key);
    expect(await refusal(keys, key)).toBe('accepted');
    await keys.revoke(issued.id);
    expect(await refusal(keys, key)).toBe('revoked');
  });

  it('rotation keeps old and new valid for the overlap, then only the new', async () => {
    const { keys, clock } = setup({ cacheTtlMs: 60_000 });
    const old = await keys.issue({ owner: 'a', name: 'n', scopes: ['s'] });
    expect(await refusal(keys, reveal(old.key))).toBe('accepted');
    const next = await keys.rotate(old.id, { overlapMs: 10_000 });
    expect(next.scopes).toEqual(['s']);
    expect(await refusal(keys, reveal(old.key))).toBe('accepted');
    expect(await refusal(keys, reveal(next.key))).toBe('accepted');
    clock.advance(10_000);
    expect(await refusal(keys, reveal(old.key))).toBe('expired');
    expect(await refusal(keys, reveal(next.key))).toBe('accepted');
  });

  it('rotation with zero overlap kills a leaked key at once', async () => {
    const { keys } = setup({ cacheTtlMs: 60_000 });
    const leaked = await keys.issue({ owner: 'a' });
    expect(await refusal(keys, reveal(leaked.key))).toBe('accepted');
    await keys.rotate(leaked.id, { overlapMs: 0 });
    expect(await refusal(keys, reveal(leaked.key))).toBe('expired');
  });

  it('revoke and rotate of an unknown id are ERR_APIKEY_NOT_FOUND', async () => {
    const { keys } = setup();
    await expect(keys.revoke('nope')).rejects.toMatchObject({ code: 'ERR_APIKEY_NOT_FOUND' });
    await expect(keys.rotate('nope', { overlapMs: 0 })).rejects.toMatchObject({
      code: 'ERR_APIKEY_NOT_FOUND',
    });
  });

  it('lists an owner’s keys without secrets', async () => {
    const { keys, clock } = setup();
    const first = await keys.issue({ owner: 'a', name: 'one' });
    clock.advance(1);
    await keys.issue({ owner: 'a', name: 'two' });
    await keys.issue({ owner: 'b' });
    const listed = await keys.list('a');
    expect(listed.map((k) => k.name)).toEqual(['two', 'one']);
    expect(JSON.stringify(listed)).not.toContain(reveal(first.key).slice(24, 56));
  });
});

describe('cache and repository', () => {
  it('reuses a verification for cacheTtlMs, accepted and refused alike, then looks up again', async () => {
    const { keys, repository, clock } = setup({ cacheTtlMs: 5000 });
    const key = reveal((await keys.issue({ owner: 'a' })).key);
    const other = createApiKeys({
      prefix: 'pc_test',
      pepper: PEPPER,
      repository: new MemoryKeyRepository(),
    });
    const unknown = reveal((await other.issue({ owner: 'x' })).key);
    repository.lookups = 0;
    for (let i = 0; i < 5; i++) {
      await keys.verify(key);
      await keys.verify(unknown).catch(() => {});
    }
    expect(repository.lookups).toBe(2);
    clock.advance(5000);
    await keys.verify(key);
    expect(repository.lookups).toBe(3);
  });

  it('one lookup for concurrent verifications of the same key', async () => {
    const { keys, repository } = setup();
    const key = reveal((await keys.issue({ owner: 'a' })).key);
    repository.lookups = 0;
    await Promise.all(Array.from({ length: 50 }, () => keys.verify(key)));
    expect(repository.lookups).toBe(1);
  });

  it('with the cache off, every verification looks up', async () => {
    const { keys, repository } = setup({ cacheTtlMs: 0 });
    const key = reveal((await keys.issue({ owner: 'a' })).key);
    repository.lookups = 0;
    await keys.verify(key);
    await keys.verify(key);
    expect(repository.lookups).toBe(2);
  });

  it('writes lastUsedAt at most once per resolution', async () => {
    const { keys, repository, clock } = setup({ cacheTtlMs: 0, lastUsedResolutionMs: 60_000 });
    const issued = await keys.issue({ owner: 'a' });
    const key = reveal(issued.key);
    for (let i = 0; i < 5; i++) await keys.verify(key);
    await new Promise((r) => setImmediate(r));
    expect(repository.updates.filter((u) => u === 'lastUsedAt')).toHaveLength(1);
    expect((await repository.findById(issued.id))?.lastUsedAt).toBe(clock.now());
    clock.advance(60_000);
    await keys.verify(key);
    await new Promise((r) => setImmediate(r));
    expect(repository.updates.filter((u) => u === 'lastUsedAt')).toHaveLength(2);
  });

  it('a hanging repository is a bounded 503, on the injected clock', async () => {
    const clock = new ManualClock(0);
    const base = new MemoryKeyRepository();
    const keys = createApiKeys({
      prefix: 'pc_test',
      pepper: PEPPER,
      repository: base,
      clock,
      repositoryTimeoutMs: 2000,
    });
    const key = reveal((await keys.issue({ owner: 'a' })).key);
    base.findById = () => new Promise(() => {});
    const pending = keys.verify(key).catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    clock.advance(2000);
    const error = await pending;
    expect(isApiKeyError(error, 'ERR_APIKEY_REPOSITORY_UNAVAILABLE')).toBe(true);
    expect((error as { status: number }).status).toBe(503);
  });

  it('a failing repository is a 503 whose cause is kept but whose message is generic', async () => {
    const base = new MemoryKeyRepository();
    const keys = createApiKeys({ prefix: 'pc_test', pepper: PEPPER, repository: base });
    const key = reveal((await keys.issue({ owner: 'a' })).key);
    base.findById = async () => {
      throw new Error('connection refused 10.0.0.5:5432');
    };
    const error = await keys.verify(key).catch((e: Error) => e);
    expect(isApiKeyError(error, 'ERR_APIKEY_REPOSITORY_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).not.toContain('10.0.0.5');
    expect(JSON.stringify(error)).not.toContain('10.0.0.5');
  });

  it('a rejected insert issues nothing', async () => {
    const base = new MemoryKeyRepository();
    base.insert = async () => {
      throw new Error('disk full');
    };
    const keys = createApiKeys({ prefix: 'pc_test', pepper: PEPPER, repository: base });
    await expect(keys.issue({ owner: 'a' })).rejects.toMatchObject({
      code: 'ERR_APIKEY_REPOSITORY_UNAVAILABLE',
    });
    expect(await base.listByOwner('a')).toEqual([]);
  });

  it('takes the pepper from a function each time (a rotated pepper applies at once)', async () => {
    let pepper = PEPPER;
    const keys = createApiKeys({
      prefix: 'pc_test',
      pepper: async () => pepper,
      repository: new MemoryKeyRepository(),
      cacheTtlMs: 0,
    });
    const key = reveal((await keys.issue({ owner: 'a' })).key);
    expect(await refusal(keys, key)).toBe('accepted');
    pepper = `${PEPPER}-rotated`;
    expect(await refusal(keys, key)).toBe('mismatch');
  });
});
