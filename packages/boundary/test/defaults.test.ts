import { DEFAULTS } from '@portcullis/boundary';
import { describe, expect, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';

describe('DEFAULTS', () => {
  it('is what the README defaults table says', () => {
    expect(defaultsMismatches(new URL('../README.md', import.meta.url).pathname, DEFAULTS)).toEqual(
      [],
    );
  });

  it('is frozen all the way down', () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    for (const group of Object.values(DEFAULTS)) expect(Object.isFrozen(group)).toBe(true);
  });
});
