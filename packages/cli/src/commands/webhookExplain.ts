import { explain } from '@portcullis/webhooks';
import type { Command } from 'commander';
import { type Act, type Context, ok, type Report, refused } from '../internal/command.ts';
import {
  addCheckFlags,
  checkSettings,
  readCheckInput,
  type WebhookCheckOptions,
} from './webhookVerify.ts';

/**
 * `portcullis webhook explain`: why a webhook does not verify, from `@portcullis/webhooks`'s
 * `explain()` (the verifier's own checks, then the likely cause). Exit 0 when it verifies, 1 when
 * not; never prints a secret or an expected signature.
 */
export async function webhookExplain(
  options: WebhookCheckOptions & Record<string, unknown>,
  context: Context,
): Promise<Report> {
  const { scheme, message, secret } = await readCheckInput(options, context);
  const diagnosis = await explain({
    scheme,
    secrets: secret,
    headers: message.headers,
    body: message.body,
    ...(message.url === undefined ? {} : { url: message.url }),
    ...checkSettings(options, context),
  });
  const text = [
    diagnosis.summary,
    ...(diagnosis.failedCheck === undefined
      ? []
      : [`failed check: ${diagnosis.failedCheck} (${diagnosis.code})`]),
    ...(diagnosis.skewSec === undefined ? [] : [`clock skew: ${diagnosis.skewSec} s`]),
    ...(diagnosis.detectedSchemes.length === 0
      ? []
      : [`headers look like: ${diagnosis.detectedSchemes.join(', ')}`]),
    ...(diagnosis.likelyCauses.length === 0 ? [] : ['likely causes:']),
    ...diagnosis.likelyCauses.map((cause) => `  - ${cause}`),
  ];
  const data = { diagnosis };
  if (diagnosis.ok) return ok(data, text);
  return refused(diagnosis.code ?? 'ERR_WEBHOOK_SIGNATURE_MISMATCH', diagnosis.summary, data, text);
}

/** Declares `webhook explain`. */
export function registerWebhookExplain(parent: Command, act: Act): void {
  const command = parent
    .command('explain')
    .summary('say why a webhook does not verify (clock skew, re-serialised body, wrong secret…)')
    .description(
      "Run the verifier's checks on a webhook and say which failed and the likely cause: clock skew, a body parsed and serialised again, the wrong secret or scheme, whitespace around the secret. Takes the same arguments as `webhook verify`. Exit 0 when it verifies, 1 when it does not.",
    )
    .addHelpText(
      'after',
      "\nExample:\n  portcullis webhook explain --scheme stripe --secret-env STRIPE_WEBHOOK_SECRET \\\n    --body logged-body.json -H 'stripe-signature: t=…,v1=…'",
    );
  addCheckFlags(command);
  command.action(act(command, webhookExplain));
}
