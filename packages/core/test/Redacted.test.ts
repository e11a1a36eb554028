import { inspect } from 'node:util';
import { isRedacted, Redacted, redacted, reveal } from '@portcullis/core';
import { describe, expect, it, vi } from 'vitest';

const SECRET = 'sk_live_51H-do-not-print';

describe('Redacted', () => {
  const box = redacted(SECRET);

  it.each([
    ['String()', () => String(box)],
    ['toString()', () => box.toString()],
    ['template literal', () => `${box}`],
    ['concatenation', () => `x${box}`],
    ['JSON.stringify', () => JSON.stringify(box)],
    ['JSON.stringify nested', () => JSON.stringify({ auth: { key: box }, list: [box] })],
    ['util.inspect', () => inspect(box)],
    [
      'util.inspect nested, depth Infinity',
      () => inspect({ a: { b: box } }, { depth: Infinity, showHidden: true }),
    ],
    ['util.format %s %o %O %j', () => [inspect(box, { showHidden: true }), `${[box]}`].join()],
    ['Object spread', () => JSON.stringify({ ...box })],
    ['Object.entries', () => JSON.stringify(Object.entries(box))],
    ['structuredClone', () => JSON.stringify(structuredClone({ box: { ...box } }))],
    ['an Error message built from it', () => new Error(`bad key ${box}`).message],
    ['Object.prototype.toString', () => Object.prototype.toString.call(box)],
  ])('%s never shows the secret', (_path, render) => {
    const text = render();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('do-not-print');
  });

  it('shows [REDACTED] on the common paths', () => {
    expect(String(box)).toBe('[REDACTED]');
    expect(JSON.stringify({ key: box })).toBe('{"key":"[REDACTED]"}');
    expect(inspect(box)).toBe('Redacted([REDACTED])');
  });

  it('console.log goes through util.inspect: no secret', async () => {
    const { formatWithOptions } = await import('node:util');
    // console.log(x) prints formatWithOptions({}, x); assert on exactly that rendering.
    expect(formatWithOptions({}, '%s %o %O %j', box, box, box, box)).not.toContain(SECRET);
    expect(formatWithOptions({ colors: true }, box)).not.toContain(SECRET);
  });

  it('gives the value only to an explicit reveal()', () => {
    expect(box.reveal()).toBe(SECRET);
    expect(reveal(box)).toBe(SECRET);
    expect(reveal('plain')).toBe('plain');
  });

  it('boxing is idempotent and recognisable', () => {
    expect(redacted(box)).toBe(box);
    expect(isRedacted(box)).toBe(true);
    expect(isRedacted(SECRET)).toBe(false);
    expect(new Redacted(new Uint8Array([1, 2])).reveal()).toEqual(new Uint8Array([1, 2]));
  });

  it('recognises and unwraps a box made by another copy of the package (duplicate installs)', async () => {
    vi.resetModules();
    const copy = await import('@portcullis/core');
    const foreign = copy.redacted('from-the-other-copy');
    expect(copy.Redacted).not.toBe(Redacted);
    expect(isRedacted(foreign)).toBe(true);
    expect(reveal(foreign)).toBe('from-the-other-copy');
    expect(redacted(foreign)).toBe(foreign);
    expect(isRedacted({ reveal: () => 'x' })).toBe(false);
  });
});
