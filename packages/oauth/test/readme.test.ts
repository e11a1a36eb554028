import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '@portcullis/oauth';
import { describe, expect, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

describe('README', () => {
  it('its defaults table matches DEFAULTS, row for row', () => {
    expect(defaultsMismatches(README, DEFAULTS)).toEqual([]);
  });
});
