import type { Redacted } from '@portcullis/core';
import {
  createVerifier,
  isWebhookError,
  type Scheme,
  type VerifierOptions,
} from '@portcullis/webhooks';
import type { Command } from 'commander';
import { clockFrom } from '../internal/clock.ts';
import {
  type Act,
  addJson,
  addSecretFlags,
  type Context,
  integer,
  ok,
  type Report,
  refused,
  secretFlags,
} from '../internal/command.ts';
import {
  addMessageFlags,
  addNowFlag,
  addSchemeFlags,
  type Message,
  type MessageFlags,
  readMessage,
  type SchemeFlags,
  schemeFrom,
} from '../internal/webhookInput.ts';

/** Options of `webhook verify` and `webhook explain`, as parsed. */
export interface WebhookCheckOptions extends SchemeFlags, MessageFlags {
  toleranceSec?: number;
  futureToleranceSec?: number;
  now?: number;
  json?: boolean;
}

/** The verifier settings both commands share. */
export function checkSettings(
  options: WebhookCheckOptions,
  context: Context,
): Pick<VerifierOptions, 'toleranceSec' | 'futureToleranceSec' | 'clock'> {
  const settings: Pick<VerifierOptions, 'toleranceSec' | 'futureToleranceSec' | 'clock'> = {
    clock: clockFrom(context.io, options.now),
  };
  if (options.toleranceSec !== undefined) settings.toleranceSec = options.toleranceSec;
  if (options.futureToleranceSec !== undefined)
    settings.futureToleranceSec = options.futureToleranceSec;
  return settings;
}

/** The scheme, the message and its secret, as `verify` and `explain` both read them. */
export async function readCheckInput(
  options: WebhookCheckOptions & Record<string, unknown>,
  context: Context,
): Promise<{ scheme: Scheme; message: Message; secret: Redacted<string> }> {
  const scheme = schemeFrom(options);
  const message = await readMessage(options, context);
  const secret = await context.inputs.secret(
    secretFlags(options, 'secret'),
    'secret',
    'the webhook secret',
  );
  return { scheme, message, secret };
}

/**
 * `portcullis webhook verify`: whether a received webhook verifies (exit 0) or not (exit 1, with
 * the verifier's stable code). Replay protection is off: one message is checked on its own.
 */
export async function webhookVerify(
  options: WebhookCheckOptions & Record<string, unknown>,
  context: Context,
): Promise<Report> {
  const { scheme, message, secret } = await readCheckInput(options, context);
  const verifier = createVerifier({
    scheme,
    secrets: secret,
    store: false,
    ...checkSettings(options, context),
  });
  try {
    const verified = await verifier.verify(message);
    const text = [
      `verified (${verified.scheme})`,
      ...(verified.id === undefined
        ? []
        : [`id: ${verified.id}${verified.idSigned ? '' : ' (not signed)'}`]),
      ...(verified.timestamp === undefined
        ? []
        : [
            `timestamp: ${verified.timestamp} (${new Date(verified.timestamp * 1000).toISOString()})`,
          ]),
    ];
    return ok(
      {
        verified: true,
        ...verified,
        id: verified.id ?? null,
        timestamp: verified.timestamp ?? null,
      },
      text,
    );
  } catch (error) {
    if (!isWebhookError(error) || error.code === 'ERR_WEBHOOK_SECRET_MALFORMED') throw error;
    return refused(
      error.code,
      error.message,
      {
        verified: false,
        scheme: scheme.name,
        ...(error.header === undefined ? {} : { header: error.header }),
      },
      ['not verified', 'hint: `portcullis webhook explain` with the same arguments says why'],
    );
  }
}

/** The options `verify` and `explain` share. */
export function addCheckFlags(command: Command): Command {
  addSchemeFlags(command);
  addSecretFlags(command, 'secret', 'the webhook secret');
  addMessageFlags(command);
  command
    .option(
      '--tolerance-sec <seconds>',
      'how old a signed timestamp may be (default: 300)',
      integer,
    )
    .option(
      '--future-tolerance-sec <seconds>',
      'how far ahead a timestamp may be (default: 30)',
      integer,
    );
  addNowFlag(command);
  return addJson(command);
}

/** Declares `webhook verify`. */
export function registerWebhookVerify(parent: Command, act: Act): void {
  const command = parent
    .command('verify')
    .summary('verify a received webhook (exit 1 with the code when it fails)')
    .description(
      'Verify a webhook: the body from a file or stdin with -H headers, or a raw HTTP request file. Exit 0 when it verifies, 1 with the stable code when it does not.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  portcullis webhook verify --scheme github --secret-env GH_SECRET --body body.json \\\n    -H "x-hub-signature-256: sha256=…"\n  portcullis webhook verify --secret-file secret.txt --request captured.http',
    );
  addCheckFlags(command);
  command.action(act(command, webhookVerify));
}
