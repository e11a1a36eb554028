// The relative-link checker that check.sh runs over the READMEs and docs/: a broken file link, a
// link to a missing heading and a link hidden in code are told apart from good ones.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { anchors, brokenLinks } from '../../scripts/check-links.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'portcullis-links-'));
  mkdirSync(join(root, 'docs'));
  mkdirSync(join(root, 'packages', 'core'), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('brokenLinks', () => {
  it('accepts links to files, folders and headings that exist, and skips other schemes', () => {
    writeFileSync(join(root, 'docs', 'guide.md'), '# Guide\n\n## When it fails\n');
    writeFileSync(
      join(root, 'packages', 'core', 'README.md'),
      '# core\n[guide](../../docs/guide.md#when-it-fails)\n',
    );
    writeFileSync(
      join(root, 'README.md'),
      '[g](docs/guide.md) [d](docs) [c](packages/core/README.md) [w](https://example.com/x) [self](#top)\n\n# Top\n',
    );
    const result = brokenLinks(root);
    expect(result.broken).toEqual([]);
    expect(result.checked).toBe(5);
    expect(result.files).toBe(3);
  });

  it('reports a missing file and a missing heading with file and line', () => {
    writeFileSync(join(root, 'docs', 'guide.md'), '# Guide\n');
    writeFileSync(join(root, 'README.md'), 'intro\n\n[a](docs/nope.md)\n[b](docs/guide.md#gone)\n');
    expect(brokenLinks(root).broken).toEqual([
      'README.md:3: docs/nope.md (no such file)',
      'README.md:4: docs/guide.md#gone (no such heading)',
    ]);
  });

  it('ignores links inside fenced code and inline code', () => {
    writeFileSync(join(root, 'README.md'), '```md\n[a](missing.md)\n```\n`[b](missing.md)`\n');
    expect(brokenLinks(root).broken).toEqual([]);
  });
});

describe('anchors', () => {
  it('slugs headings as GitHub does, numbering repeats', () => {
    const found = anchors('# Rate limits (`@portcullis/ratelimit`)\n## A/B test\n## A/B test\n');
    expect([...found]).toEqual(['rate-limits-portcullisratelimit', 'ab-test', 'ab-test-1']);
  });
});
