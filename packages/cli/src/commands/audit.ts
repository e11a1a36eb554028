import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { type ChainVerification, verifyAuditChain } from '@portcullis/audit';
import type { Redacted } from '@portcullis/core';
import type { Command } from 'commander';
import { DEFAULTS } from '../DEFAULTS.ts';
import { CliError, usage } from '../errors/CliError.ts';
import {
  type Act,
  addJson,
  addSecretFlags,
  type Context,
  ok,
  type Report,
  refused,
  secretFlags,
} from '../internal/command.ts';

/** Options of `audit verify`, as parsed. */
export interface AuditVerifyOptions {
  chain?: string;
  expectHead?: string;
  json?: boolean;
}

/** `JsonlSink`'s file names: `<chain>-<6 digits>.jsonl`. */
const FILE = /^(.+)-(\d{6})\.jsonl$/;

/** One chain's files, in order. */
interface ChainFiles {
  chain: string | undefined;
  files: string[];
}

/** The chains under `path`: a directory written by `JsonlSink`, or one file. */
async function chainsAt(path: string, only: string | undefined): Promise<ChainFiles[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new CliError(
      'ERR_CLI_INPUT_UNREADABLE',
      `The audit trail path could not be read (${(error as { code?: string }).code ?? 'EIO'}).`,
    );
  }
  if (!info.isDirectory()) return [{ chain: only, files: [path] }];
  const byChain = new Map<string, { name: string; index: number }[]>();
  for (const name of await readdir(path)) {
    const m = FILE.exec(name);
    if (m === null) continue;
    const chain = m[1] as string;
    if (only !== undefined && chain !== only) continue;
    byChain.set(chain, [...(byChain.get(chain) ?? []), { name, index: Number(m[2]) }]);
  }
  if (byChain.size === 0)
    throw usage(
      `No audit files (<chain>-000001.jsonl) ${only === undefined ? '' : `of chain "${only}" `}are in that directory.`,
    );
  return [...byChain.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([chain, files]) => ({
      chain,
      files: files.sort((a, b) => a.index - b.index).map((f) => join(path, f.name)),
    }));
}

/** The lines of `files` in order, noting where each file starts (to turn a line number into file and line). */
async function* linesOf(
  files: readonly string[],
  starts: { file: string; first: number }[],
): AsyncGenerator<string> {
  let line = 0;
  for (const file of files) {
    starts.push({ file, first: line + 1 });
    const reader = createInterface({
      input: createReadStream(file),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const text of reader) {
      line++;
      yield text;
    }
  }
}

/** `--expect-head <seq>:<mac>`. */
function parseHead(text: string | undefined): { seq: number; mac: string } | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text);
  if (m === null) throw usage('--expect-head takes <seq>:<64 hex digits of the MAC>.');
  return { seq: Number(m[1]), mac: m[2] as string };
}

interface ChainResult {
  chain: string | undefined;
  result: ChainVerification;
  file?: string;
  lineInFile?: number;
}

/**
 * `portcullis audit verify`: verifies a tamper-evident audit trail (`@portcullis/audit`): one
 * JSONL file, or a `JsonlSink` directory (every chain in it, or `--chain`). Exit 1 with
 * `ERR_CLI_AUDIT_CHAIN_BROKEN` naming the file, line and kind of break.
 */
export async function auditVerify(
  options: AuditVerifyOptions & Record<string, unknown>,
  context: Context,
  args: string[],
): Promise<Report> {
  const path = args[0];
  if (path === undefined) throw usage('Give the audit file or directory.');
  const expectHead = parseHead(options.expectHead);
  const key: Redacted<string> = await context.inputs.secret(
    secretFlags(options, 'secret'),
    'secret',
    'the audit key',
  );
  const chains = await chainsAt(path, options.chain ?? DEFAULTS.chain ?? undefined);
  if (expectHead !== undefined && chains.length > 1)
    throw usage('--expect-head needs one chain: add --chain.');
  const results: ChainResult[] = [];
  for (const { chain, files } of chains) {
    const starts: { file: string; first: number }[] = [];
    const result = await verifyAuditChain(linesOf(files, starts), {
      key,
      ...(chain === undefined ? {} : { chain }),
      ...(expectHead === undefined ? {} : { expectHead }),
    });
    const entry: ChainResult = { chain, result };
    if (!result.ok) {
      const start =
        [...starts].reverse().find((s) => s.first <= result.at.line) ?? starts[starts.length - 1];
      if (start !== undefined) {
        entry.file = basename(start.file);
        entry.lineInFile = result.at.line - start.first + 1;
      }
    }
    results.push(entry);
  }
  const data = {
    chains: results.map((r) => ({
      chain: r.chain ?? null,
      ...r.result,
      ...(r.file === undefined ? {} : { file: r.file, lineInFile: r.lineInFile }),
    })),
  };
  const text = results.map((r) =>
    r.result.ok
      ? `chain ${r.chain ?? "(first line's)"}: intact, ${r.result.entries} entries${r.result.head ? `, head ${r.result.head.seq}:${r.result.head.mac}` : ''}`
      : `chain ${r.chain ?? "(first line's)"}: BROKEN (${r.result.problem}) at ${r.file} line ${r.lineInFile}, where seq ${r.result.at.expectedSeq} was expected; ${r.result.entries} entries verified before it`,
  );
  const broken = results.find((r) => !r.result.ok);
  if (broken === undefined || broken.result.ok) return ok(data, text);
  return refused(
    'ERR_CLI_AUDIT_CHAIN_BROKEN',
    `The audit trail is broken (${broken.result.problem}) at ${broken.file} line ${broken.lineInFile}.`,
    data,
    text,
  );
}

/** Declares the `audit` group: `verify`. */
export function registerAudit(program: Command, act: Act): void {
  const group = program
    .command('audit')
    .summary('verify tamper-evident audit trails (@portcullis/audit)');
  const command = group
    .command('verify')
    .summary('verify an audit trail file or directory (exit 1 on tampering, saying where)')
    .description(
      'Verify a hash-chained audit trail: a JSONL file, or a JsonlSink directory (every chain in it). Every MAC, every link, the sequence without gaps. Exit 1 with ERR_CLI_AUDIT_CHAIN_BROKEN naming the file, line and the kind of break (edited, deleted, inserted, reordered, malformed).',
    )
    .addHelpText(
      'after',
      '\nExample:\n  portcullis audit verify /var/log/myservice/audit --secret-env AUDIT_KEY',
    )
    .argument('<path>', 'a JSONL file or a directory of <chain>-NNNNNN.jsonl files')
    .option('--chain <name>', 'only this chain (default: every chain in the directory)')
    .option('--expect-head <seq:mac>', 'the head recorded elsewhere: detects a deleted tail');
  addSecretFlags(command, 'secret', 'the audit HMAC key');
  addJson(command);
  command.action(act(command, auditVerify));
}
