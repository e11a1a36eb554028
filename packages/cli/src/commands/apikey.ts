import {
  type ApiKeyRecord,
  createApiKeys,
  isApiKeyError,
  MemoryKeyRepository,
} from '@portcullis/apikeys';
import { reveal } from '@portcullis/core';
import type { Command } from 'commander';
import { usage } from '../errors/CliError.ts';
import { clockFrom } from '../internal/clock.ts';
import {
  type Act,
  addJson,
  addSecretFlags,
  type Context,
  collect,
  ok,
  type Report,
  refused,
  secretFlags,
} from '../internal/command.ts';
import { FileKeyRepository } from '../internal/FileKeyRepository.ts';
import { writeSecretFile } from '../internal/writeSecret.ts';

/** Options of `apikey create`, as parsed. */
export interface ApikeyCreateOptions {
  prefix: string;
  owner: string;
  name?: string;
  scope?: string[];
  expiresAt?: string;
  keysFile?: string;
  out?: string;
  json?: boolean;
}

/** Options of `apikey check`, as parsed. */
export interface ApikeyCheckOptions {
  prefix?: string;
  keysFile?: string;
  requireScope?: string[];
  json?: boolean;
}

/** Characters after the prefix and its `_`: id, secret and checksum. */
const BODY_LENGTH = 54;

/** Wraps a repository so the record `issue` stores is kept (to print it without a keys file). */
class Capture extends MemoryKeyRepository {
  record: ApiKeyRecord | undefined;
  override async insert(record: ApiKeyRecord): Promise<void> {
    this.record = record;
    await super.insert(record);
  }
}

/**
 * `portcullis apikey create`: issues a key with `@portcullis/apikeys` and prints it once (or
 * writes it to a new 0600 file with `--out`). Its record (id and keyed hash, never the key) is
 * appended to `--keys-file`, or printed for you to insert into your own store.
 */
export async function apikeyCreate(
  options: ApikeyCreateOptions & Record<string, unknown>,
  context: Context,
): Promise<Report> {
  const pepper = await context.inputs.secret(
    secretFlags(options, 'secret'),
    'secret',
    'the pepper',
  );
  const capture = new Capture();
  const repository =
    options.keysFile === undefined ? capture : new FileKeyRepository(options.keysFile);
  const keys = createApiKeys({
    prefix: options.prefix,
    pepper,
    repository,
    clock: clockFrom(context.io),
  });
  let expiresAt: number | undefined;
  if (options.expiresAt !== undefined) {
    expiresAt = Date.parse(options.expiresAt);
    if (!Number.isFinite(expiresAt)) throw usage('--expires-at takes an ISO 8601 date-time.');
  }
  const issued = await keys.issue({
    owner: options.owner,
    ...(options.name === undefined ? {} : { name: options.name }),
    scopes: options.scope ?? [],
    ...(expiresAt === undefined ? {} : { expiresAt }),
  });
  const view = {
    id: issued.id,
    owner: issued.owner,
    name: issued.name,
    scopes: issued.scopes,
    expiresAt: issued.expiresAt,
  };
  const stored =
    options.keysFile === undefined ? { record: capture.record } : { keysFile: options.keysFile };
  const where =
    options.keysFile === undefined
      ? `record (store it in your repository; it holds no key): ${JSON.stringify(capture.record)}`
      : `record appended to ${options.keysFile}`;
  if (options.out !== undefined) {
    await writeSecretFile(options.out, reveal(issued.key), '--out');
    return ok({ ...view, keyFile: options.out, ...stored }, [
      `key written to ${options.out} (mode 0600)`,
      `id: ${issued.id}`,
      where,
    ]);
  }
  return ok({ ...view, key: reveal(issued.key), ...stored }, [
    reveal(issued.key),
    `id: ${issued.id} (shown once: the key is not stored, only its keyed hash)`,
    where,
  ]);
}

/**
 * `portcullis apikey check`: verifies a key (read from `--key-file`, `--key-stdin` or
 * `--key-env`) against `--keys-file`, with the required scopes. Without a keys file it checks
 * the format and checksum only.
 */
export async function apikeyCheck(
  options: ApikeyCheckOptions & Record<string, unknown>,
  context: Context,
): Promise<Report> {
  const key = reveal(
    await context.inputs.secret(secretFlags(options, 'key'), 'key', 'the API key to check'),
  );
  const pepper = await context.inputs.secret(
    secretFlags(options, 'secret'),
    'secret',
    'the pepper',
  );
  const prefix =
    options.prefix ?? (key.length > BODY_LENGTH + 1 ? key.slice(0, -(BODY_LENGTH + 1)) : 'invalid');
  const repository =
    options.keysFile === undefined
      ? new MemoryKeyRepository()
      : new FileKeyRepository(options.keysFile);
  let keys: ReturnType<typeof createApiKeys>;
  try {
    keys = createApiKeys({
      prefix,
      pepper,
      repository,
      cacheTtlMs: 0,
      clock: clockFrom(context.io),
    });
  } catch (error) {
    if (options.prefix !== undefined) throw error;
    return refused(
      'ERR_APIKEY_INVALID',
      'Invalid API key.',
      { valid: false, refusal: 'malformed' },
      ['invalid: malformed'],
    );
  }
  try {
    const verified = await keys.verify(key, options.requireScope ?? []);
    return ok({ valid: true, checked: 'repository', ...verified }, [
      `valid: ${verified.id} (owner ${verified.owner}${verified.scopes.length ? `, scopes ${verified.scopes.join(' ')}` : ''})`,
    ]);
  } catch (error) {
    if (!isApiKeyError(error) || error.code === 'ERR_APIKEY_REPOSITORY_UNAVAILABLE') throw error;
    if (options.keysFile === undefined && error.refusal === 'unknown') {
      return ok({ valid: null, checked: 'format', wellFormed: true }, [
        'well formed (prefix and checksum): give --keys-file to look the key up',
      ]);
    }
    const why = error.refusal ?? `missing scopes ${(error.missingScopes ?? []).join(' ')}`;
    return refused(
      error.code,
      error.message,
      {
        valid: false,
        ...(error.refusal === undefined ? {} : { refusal: error.refusal }),
        ...(error.missingScopes === undefined ? {} : { missingScopes: error.missingScopes }),
      },
      [`invalid: ${why}`],
    );
  }
}

/** Declares the `apikey` group: `create`, `check`. */
export function registerApikey(program: Command, act: Act): void {
  const group = program.command('apikey').summary('issue and check API keys (@portcullis/apikeys)');
  const create = group
    .command('create')
    .summary('issue an API key and print it once')
    .description(
      'Issue an API key (<prefix>_<id><secret><checksum>) keyed with a pepper, print it once, and append its record (id and keyed hash, never the key) to --keys-file, or print the record.',
    )
    .addHelpText(
      'after',
      '\nExample:\n  portcullis apikey create --prefix pc_live --owner acme --scope orders:read \\\n    --secret-env APIKEY_PEPPER --keys-file keys.jsonl',
    )
    .requiredOption('--prefix <prefix>', "the key prefix, e.g. 'pc_live'")
    .requiredOption('--owner <owner>', 'who the key belongs to')
    .option('--name <name>', 'a name for people')
    .option('--scope <scope>', 'a scope the key holds (repeatable)', collect)
    .option('--expires-at <date-time>', 'when the key stops working (ISO 8601)')
    .option('--keys-file <path>', 'a JSON Lines file of key records to append to (mode 0600)')
    .option('--out <path>', 'write the key to this new file (mode 0600) instead of stdout');
  addSecretFlags(create, 'secret', 'the pepper (at least 32 bytes)');
  addJson(create);
  create.action(act(create, apikeyCreate));

  const check = group
    .command('check')
    .summary('check an API key (exit 1 when it is refused)')
    .description(
      'Check an API key: format and checksum, then (with --keys-file) its record, revocation, expiry and scopes. The key is read from a file, stdin or the environment, never the command line.',
    )
    .addHelpText(
      'after',
      '\nExample:\n  portcullis apikey check --key-env API_KEY --secret-env APIKEY_PEPPER --keys-file keys.jsonl',
    )
    .option('--prefix <prefix>', 'the expected prefix (default: the one in the key)')
    .option('--keys-file <path>', 'the JSON Lines file of key records')
    .option('--require-scope <scope>', 'a scope the key must hold (repeatable)', collect);
  addSecretFlags(check, 'key', 'the API key');
  addSecretFlags(check, 'secret', 'the pepper');
  addJson(check);
  check.action(act(check, apikeyCheck));
}
