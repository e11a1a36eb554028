import { createSigner, type SignInput } from '@portcullis/webhooks';
import type { Command } from 'commander';
import { usage } from '../errors/CliError.ts';
import { clockFrom } from '../internal/clock.ts';
import {
  type Act,
  addJson,
  addSecretFlags,
  type Context,
  integer,
  ok,
  type Report,
  secretFlags,
} from '../internal/command.ts';
import type { SecretFlags } from '../internal/inputs.ts';
import { addSchemeFlags, type SchemeFlags, schemeFrom } from '../internal/webhookInput.ts';

/** Options of `webhook sign`, as parsed. */
export interface WebhookSignOptions extends SchemeFlags {
  body?: string;
  id?: string;
  timestamp?: number;
  url?: string;
  http?: boolean;
  contentType?: string;
  json?: boolean;
}

/** A raw HTTP request carrying `body` with `headers`, for `--http`. */
function httpRequest(
  url: string | undefined,
  contentType: string,
  headers: Record<string, string>,
  body: Uint8Array,
): string {
  const target = url === undefined ? new URL('https://localhost/') : new URL(url);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw usage(
      '--http prints the body as text: this body is not UTF-8 (send it with the headers instead).',
    );
  }
  const lines = [
    `POST ${target.pathname}${target.search} HTTP/1.1`,
    `host: ${target.host}`,
    `content-type: ${contentType}`,
    `content-length: ${body.byteLength}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    text,
  ];
  return lines.join('\r\n');
}

/**
 * `portcullis webhook sign`: the headers that sign a body for a scheme (or, with `--http`, the
 * whole raw request), as a sender would send them.
 */
export async function webhookSign(
  options: WebhookSignOptions & Record<string, unknown>,
  context: Context,
): Promise<Report> {
  const scheme = schemeFrom(options);
  if (options.body === undefined) throw usage('Give the body with --body <path> (- for stdin).');
  if (options.http === true && options.json === true)
    throw usage('Give --http or --json, not both.');
  const secret = await context.inputs.secret(
    secretFlags(options, 'secret') as SecretFlags,
    'secret',
    'the signing secret',
  );
  const body = await context.inputs.file(options.body, '--body');
  const signer = createSigner({ scheme, secrets: secret, clock: clockFrom(context.io) });
  const input: SignInput = { body };
  if (options.id !== undefined) input.id = options.id;
  if (options.timestamp !== undefined) input.timestamp = options.timestamp;
  if (options.url !== undefined) input.url = options.url;
  const headers = await signer.sign(input);
  if (options.http === true) {
    const type =
      options.contentType ??
      (scheme.name === 'twilio' ? 'application/x-www-form-urlencoded' : 'application/json');
    return { ...ok({}, [httpRequest(options.url, type, headers, body)]), raw: true };
  }
  return ok(
    { scheme: scheme.name, headers },
    Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  );
}

/** Declares `webhook sign`. */
export function registerWebhookSign(parent: Command, act: Act): void {
  const command = parent
    .command('sign')
    .summary('sign a webhook body: print the headers a sender sends')
    .description(
      'Sign a body as a webhook sender would, for any scheme, and print the signature headers (or, with --http, a raw HTTP request that `webhook verify --request` reads).',
    )
    .addHelpText(
      'after',
      '\nExample:\n  portcullis webhook sign --scheme stripe --secret-env STRIPE_WEBHOOK_SECRET --body event.json',
    );
  addSchemeFlags(command);
  addSecretFlags(command, 'secret', 'the signing secret');
  command
    .option('--body <path>', 'the body to sign, from a file (- for stdin)')
    .option('--id <id>', 'the message id (default: a new one, where the scheme has ids)')
    .option('--timestamp <unix-seconds>', 'the signed timestamp (default: now)', integer)
    .option('--url <url>', 'the full URL the webhook is sent to (Twilio signs it; --http uses it)')
    .option('--http', 'print a raw HTTP request (request line, headers, body) instead of headers')
    .option('--content-type <type>', 'the Content-Type of --http (default: application/json)');
  addJson(command);
  command.action(act(command, webhookSign));
}
