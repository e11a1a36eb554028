// Reads the defaults table of a package README so a test can hold it against the package's
// `DEFAULTS`: the prose cannot drift from the code. A defaults table is any Markdown table whose
// header has an "option" column and a "default" column; the option cell holds the option's name
// in backticks (nested options dotted: `fleet.pollIntervalMs`), the default cell its value in
// backticks (`5000`, `'local'`, `true`) or a dash for "none".
import { readFileSync } from 'node:fs';

/** Option name → the default as written in the README (inside the backticks), or undefined for "—". */
export function readmeDefaults(readmePath: string): Map<string, string | undefined> {
  const rows = new Map<string, string | undefined>();
  const lines = readFileSync(readmePath, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const header = cells(lines[i] ?? '');
    const option = header.findIndex((c) => /^option$/i.test(c));
    const def = header.findIndex((c) => /^default$/i.test(c));
    if (option < 0 || def < 0 || !/^\|?\s*:?-+/.test(lines[i + 1] ?? '')) continue;
    for (i += 2; i < lines.length && (lines[i] ?? '').trim().startsWith('|'); i++) {
      const row = cells(lines[i] ?? '');
      const name = /`([^`]+)`/.exec(row[option] ?? '')?.[1];
      if (name === undefined) continue;
      rows.set(name, /`([^`]*)`/.exec(row[def] ?? '')?.[1]);
    }
  }
  return rows;
}

function cells(line: string): string[] {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|')) return [];
  return trimmed
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim());
}

const LITERAL = /^(?:-?\d[\d.e+-]*|'[^']*'|true|false|null|\[.*\])$/;

/** A value as a README writes it: `5000`, `'local'`, `true`, `['POST', 'PATCH']`. */
function written(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(written).join(', ')}]`;
  return JSON.stringify(value);
}

/** `DEFAULTS` flattened to dotted names with each value written as the README writes it. */
export function flattenDefaults(defaults: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(defaults)) {
    const name = prefix + key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of flattenDefaults(value, `${name}.`)) out.set(k, v);
    } else {
      out.set(name, written(value));
    }
  }
  return out;
}

/**
 * The differences between a README's defaults table and `DEFAULTS`: every default in the code must
 * be in the table with the same value, and the table may hold no default the code does not have.
 * Returns a list of human-readable mismatches (empty when they agree).
 */
export function defaultsMismatches(readmePath: string, defaults: object, prefix = ''): string[] {
  const table = readmeDefaults(readmePath);
  const code = flattenDefaults(defaults, prefix);
  const problems: string[] = [];
  for (const [name, value] of code) {
    if (!table.has(name)) problems.push(`${name}: default ${value} is not in the README table`);
    else if (table.get(name) !== value)
      problems.push(`${name}: README says ${table.get(name)}, DEFAULTS has ${value}`);
  }
  for (const [name, value] of table) {
    // Only literal defaults are held against DEFAULTS; `systemClock` or `telemetry('…')` name an object.
    if (
      value !== undefined &&
      LITERAL.test(value) &&
      (prefix === '' || name.startsWith(prefix)) &&
      !code.has(name)
    ) {
      problems.push(`${name}: README gives default ${value}, DEFAULTS has none`);
    }
  }
  return problems;
}
