import { fileURLToPath } from 'node:url';
import { createApiKeys, DEFAULTS, MemoryKeyRepository } from '@portcullis/apikeys';
import { describe, expect, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';

const base = {
  prefix: 'pc_test',
  pepper: 'test-pepper-that-is-at-least-32-bytes-long',
  repository: new MemoryKeyRepository(),
};

describe('options', () => {
  it.each([
    [{ cacheTtlMs: Number.NaN }, 'options.cacheTtlMs'],
    [{ cacheTtlMs: -1 }, 'options.cacheTtlMs'],
    [{ cacheMaxEntries: 0 }, 'options.cacheMaxEntries'],
    [{ repositoryTimeoutMs: 0 }, 'options.repositoryTimeoutMs'],
    [{ prefix: 'PC-Live' }, 'options.prefix'],
    [{ prefix: 'a_b_c' }, 'options.prefix'],
    [{ repository: {} }, 'options.repository'],
    [{ cacheTTL: 5 }, 'options.cacheTTL'],
  ])('refuses %j naming %s', (extra, name) => {
    expect(() => createApiKeys({ ...base, ...extra } as never)).toThrow(
      expect.objectContaining({ message: expect.stringContaining(name) }),
    );
  });

  it('suggests the closest option for a typo', () => {
    expect(() => createApiKeys({ ...base, cacheTtl: 5 } as never)).toThrow(
      'Did you mean "cacheTtlMs"?',
    );
  });

  it('refuses a short pepper when it is first used, as a TypeError', async () => {
    const keys = createApiKeys({ ...base, pepper: 'short' });
    await expect(keys.issue({ owner: 'a' })).rejects.toThrow(TypeError);
  });

  it('the README defaults table matches DEFAULTS', () => {
    expect(
      defaultsMismatches(fileURLToPath(new URL('../README.md', import.meta.url)), DEFAULTS),
    ).toEqual([]);
  });
});
