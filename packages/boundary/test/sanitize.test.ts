import { exportCsv, isBoundaryError, sanitize } from '@portcullis/boundary';
import { describe, expect, it } from 'vitest';

describe('sanitize.text', () => {
  it('removes controls, bidi overrides, invisibles and lone surrogates, keeps newlines', () => {
    expect(sanitize.text('a\u0000b\u0007c\u007f\u0085')).toBe('abc');
    expect(sanitize.text('invoice\u202Efdp.exe\u2066\u2069\u200F')).toBe('invoicefdp.exe');
    expect(sanitize.text('zero\u200Bwidth\uFEFF\u{E0041}')).toBe('zerowidth');
    expect(sanitize.text('x\uD800y')).toBe('x\uFFFDy');
    expect(sanitize.text('line1\nline2\tx\u2028')).toBe('line1\nline2\tx\n');
    expect(sanitize.text('a\nb\tc', { newlines: false })).toBe('a b c');
    expect(sanitize.text('👩\u200D💻')).toBe('👩\u200D💻');
  });

  it('normalises to NFC by default, NFKC on request', () => {
    expect(sanitize.text('e\u0301')).toBe('é');
    expect(sanitize.text('ﬁ')).toBe('ﬁ');
    expect(sanitize.text('ﬁＡ', { normalize: 'NFKC' })).toBe('fiA');
    expect(sanitize.text('e\u0301', { normalize: 'none' })).toBe('e\u0301');
    expect(() => sanitize.text(1 as never)).toThrow(TypeError);
  });
});

describe('sanitize.html', () => {
  it('encodes every character that can open markup or leave an attribute', () => {
    expect(sanitize.html(`<img src=x onerror="alert('1')">\``)).toBe(
      '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&#96;',
    );
    expect(sanitize.html('a & b')).toBe('a &amp; b');
    expect(sanitize.html('plain')).toBe('plain');
    expect(sanitize.html(42)).toBe('42');
  });
});

describe('sanitize.identifier and sanitize.email', () => {
  it('accepts only the allowed alphabet and length', () => {
    expect(sanitize.identifier('acme-corp_4.2')).toBe('acme-corp_4.2');
    for (const bad of ['', '-x', '../etc', 'a b', 'é', 'x'.repeat(65), "x';--"]) {
      expect(() => sanitize.identifier(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_BOUNDARY_INVALID_IDENTIFIER' }),
      );
    }
    expect(() => sanitize.identifier('a.b', { extraChars: '' })).toThrow();
    expect(() => sanitize.identifier('a', { extraChars: 'é' })).toThrow(TypeError);
  });

  it('accepts common addresses, lower-cases the domain, refuses the rest without echo', () => {
    expect(sanitize.email('Ada.Lovelace+x@Example.COM')).toBe('Ada.Lovelace+x@example.com');
    for (const bad of [
      'a@b',
      '"a b"@x.com',
      'a@[127.0.0.1]',
      'a..b@x.com',
      'a@-x.com',
      '<script>@x.com',
      'a@x.c0m',
    ]) {
      try {
        sanitize.email(bad);
        expect.unreachable(bad);
      } catch (error) {
        expect(isBoundaryError(error, 'ERR_BOUNDARY_INVALID_EMAIL')).toBe(true);
        expect((error as Error).message).not.toContain(bad);
      }
    }
  });
});

describe('sanitize.csvCell and exportCsv', () => {
  it('neutralises formula starts (=, +, -, @, tab, CR, full-width), not plain numbers', () => {
    for (const cell of ['=1+1', '+cmd', '-2+3', '@SUM(A1)', '\tx', '\rx', '＝1+1']) {
      expect(sanitize.csvCell(cell)).toBe(`'${cell}`);
    }
    expect(sanitize.csvCell('-5')).toBe('-5');
    expect(sanitize.csvCell(-5)).toBe('-5');
    expect(sanitize.csvCell(null)).toBe('');
    expect(sanitize.csvCell(10n)).toBe('10');
    expect(sanitize.csvCell(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });

  it('writes quoted CSV with every cell neutralised, header included', () => {
    const csv = exportCsv([
      { '=name': '=HYPERLINK("http://x")', n: 1 },
      { '=name': 'a,b\nc', n: -2 },
    ]);
    expect(csv).toBe(`'=name,n\n"'=HYPERLINK(""http://x"")",1\n"a,b\nc",-2\n`);
    expect(exportCsv([{ a: 1 }], { header: false, delimiter: ';', columns: ['a', 'b'] })).toBe(
      '1;\n',
    );
  });
});
