import { DEFAULTS } from '@portcullis/ratelimit';
import { expect, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';

it('the README defaults table matches DEFAULTS', () => {
  expect(defaultsMismatches(new URL('../README.md', import.meta.url).pathname, DEFAULTS)).toEqual(
    [],
  );
  expect(Object.isFrozen(DEFAULTS)).toBe(true);
  expect(Object.isFrozen(DEFAULTS.source)).toBe(true);
});
