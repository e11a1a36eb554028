import { DEFAULTS } from '@portcullis/secrets';
import { expect, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';

it('the README defaults table matches DEFAULTS', () => {
  expect(defaultsMismatches(new URL('../README.md', import.meta.url).pathname, DEFAULTS)).toEqual(
    [],
  );
});

it('DEFAULTS is frozen, all the way down', () => {
  expect(Object.isFrozen(DEFAULTS)).toBe(true);
  for (const section of Object.values(DEFAULTS)) expect(Object.isFrozen(section)).toBe(true);
});
