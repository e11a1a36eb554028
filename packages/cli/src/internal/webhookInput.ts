import {
  defineHmacScheme,
  type Encoding,
  type HmacAlgorithm,
  type HmacSchemeOptions,
  type Scheme,
  schemes,
} from '@portcullis/webhooks';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULTS } from '../DEFAULTS.ts';
import { usage } from '../errors/CliError.ts';
import { type Context, choice, collect } from './command.ts';
import { parseHeaderFlags, parseHttpRequest } from './httpRequest.ts';

/** The scheme names `--scheme` takes. */
export const SCHEME_NAMES: readonly string[] = [
  'standard',
  'stripe',
  'github',
  'shopify',
  'slack',
  'twilio',
  'custom',
];

/** The flags of the scheme choice, custom HMAC schemes included. */
export interface SchemeFlags {
  scheme?: string;
  schemeName?: string;
  signatureHeader?: string;
  signaturePrefix?: string;
  signatureSeparator?: string;
  timestampHeader?: string;
  idHeader?: string;
  signedContent?: string;
  algorithm?: string;
  encoding?: string;
  secretEncoding?: string;
}

/** Adds `--scheme` and the flags of a `custom` scheme. */
export function addSchemeFlags(command: Command): Command {
  return command
    .addOption(choice('--scheme <name>', 'signature scheme', SCHEME_NAMES).default(DEFAULTS.scheme))
    .option('--scheme-name <name>', 'custom: short name of the scheme', DEFAULTS.schemeName)
    .option('--signature-header <name>', 'custom: header holding the signature')
    .option('--signature-prefix <text>', "custom: text before the signature (e.g. 'sha256=')")
    .option('--signature-separator <text>', 'custom: separator of several signatures')
    .option('--timestamp-header <name>', 'custom: header holding the Unix timestamp')
    .option('--id-header <name>', 'custom: header holding the message id')
    .option('--signed-content <template>', "custom: what is signed, e.g. '{timestamp}.{body}'")
    .addOption(
      choice('--algorithm <hash>', 'custom: HMAC hash', ['sha1', 'sha256', 'sha384', 'sha512']),
    )
    .addOption(
      choice('--encoding <encoding>', 'custom: signature encoding', ['hex', 'base64', 'base64url']),
    )
    .addOption(
      choice('--secret-encoding <encoding>', 'custom: how the secret becomes key bytes', [
        'utf8',
        'base64',
        'hex',
        'whsec',
      ]),
    );
}

const CUSTOM_ONLY = [
  'signatureHeader',
  'signaturePrefix',
  'signatureSeparator',
  'timestampHeader',
  'idHeader',
  'signedContent',
  'algorithm',
  'encoding',
  'secretEncoding',
] as const;

/** The scheme the flags name (a custom one declared with `defineHmacScheme`). */
export function schemeFrom(flags: SchemeFlags): Scheme {
  const name = flags.scheme ?? DEFAULTS.scheme;
  if (name !== 'custom') {
    const stray = CUSTOM_ONLY.find((k) => flags[k] !== undefined);
    if (stray !== undefined)
      throw usage(
        `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --scheme custom.`,
      );
    return schemes[name as keyof typeof schemes];
  }
  if (flags.signatureHeader === undefined) throw usage('--scheme custom needs --signature-header.');
  const options: HmacSchemeOptions = {
    name: flags.schemeName ?? DEFAULTS.schemeName,
    signatureHeader: flags.signatureHeader,
  };
  if (flags.signaturePrefix !== undefined) options.signaturePrefix = flags.signaturePrefix;
  if (flags.signatureSeparator !== undefined) options.signatureSeparator = flags.signatureSeparator;
  if (flags.timestampHeader !== undefined) options.timestampHeader = flags.timestampHeader;
  if (flags.idHeader !== undefined) options.idHeader = flags.idHeader;
  if (flags.signedContent !== undefined) options.signedContent = flags.signedContent;
  if (flags.algorithm !== undefined) options.algorithm = flags.algorithm as HmacAlgorithm;
  if (flags.encoding !== undefined) options.encoding = flags.encoding as Encoding;
  if (flags.secretEncoding !== undefined)
    options.secretEncoding = flags.secretEncoding as NonNullable<
      HmacSchemeOptions['secretEncoding']
    >;
  return defineHmacScheme(options);
}

/** The flags of an inbound message: body, headers, or a raw request, and the URL. */
export interface MessageFlags {
  body?: string;
  header?: string[];
  request?: string;
  url?: string;
}

/** Adds `--body`, `-H`, `--request` and `--url`. */
export function addMessageFlags(command: Command): Command {
  return command
    .option('--body <path>', 'the raw body, from a file (- for stdin)')
    .option('-H, --header <header>', "a request header, 'name: value' (repeatable)", collect)
    .option('--request <path>', 'a raw HTTP request (headers and body), from a file (- for stdin)')
    .option('--url <url>', 'the full public URL the request was sent to (Twilio signs it)');
}

/** An inbound message as the verifier takes it. */
export interface Message {
  headers: Record<string, string | string[]>;
  body: Uint8Array;
  url?: string;
}

/** Reads the message the flags describe. */
export async function readMessage(flags: MessageFlags, { inputs }: Context): Promise<Message> {
  if (flags.request !== undefined) {
    if (flags.body !== undefined || flags.header !== undefined)
      throw usage('Give --request, or --body with -H headers, not both.');
    const request = parseHttpRequest(await inputs.file(flags.request, '--request'));
    const message: Message = { headers: request.headers, body: request.body };
    const host = request.headers.host;
    if (flags.url !== undefined) message.url = flags.url;
    else if (/^https?:\/\//.test(request.target)) message.url = request.target;
    else if (typeof host === 'string' && host !== '')
      message.url = `https://${host}${request.target}`;
    return message;
  }
  if (flags.body === undefined)
    throw usage('Give the body with --body <path> (- for stdin), or --request <path>.');
  const message: Message = {
    headers: parseHeaderFlags(flags.header ?? []),
    body: await inputs.file(flags.body, '--body'),
  };
  if (flags.url !== undefined) message.url = flags.url;
  return message;
}

/** `--now <unix seconds>`: check against another time (a captured message). */
export function addNowFlag(command: Command): Command {
  return command.addOption(
    new Option(
      '--now <unix-seconds>',
      'check as if the time were this (default: the clock)',
    ).argParser((v) => {
      if (!/^\d{1,12}$/.test(v)) throw new InvalidArgumentError('Not Unix seconds.');
      return Number(v);
    }),
  );
}
