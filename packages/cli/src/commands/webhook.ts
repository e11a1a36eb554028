import type { Command } from 'commander';
import type { Act } from '../internal/command.ts';
import { registerWebhookExplain } from './webhookExplain.ts';
import { registerWebhookSign } from './webhookSign.ts';
import { registerWebhookVerify } from './webhookVerify.ts';

/** Declares the `webhook` group: `sign`, `verify`, `explain`. */
export function registerWebhook(program: Command, act: Act): void {
  const group = program
    .command('webhook')
    .summary(
      'sign, verify and explain webhooks (standard, stripe, github, shopify, slack, twilio, custom)',
    )
    .description(
      'Sign, verify and explain webhooks for every scheme @portcullis/webhooks supports: standard (Standard Webhooks / Svix), stripe, github, shopify, slack, twilio, custom (your HMAC scheme).',
    );
  registerWebhookSign(group, act);
  registerWebhookVerify(group, act);
  registerWebhookExplain(group, act);
}
