import { reveal } from '@portcullis/core';
import { type GenerateSecretOptions, generateKeyPair, generateSecret } from '@portcullis/webhooks';
import type { Command } from 'commander';
import { DEFAULTS } from '../DEFAULTS.ts';
import { usage } from '../errors/CliError.ts';
import {
  type Act,
  addJson,
  type Context,
  choice,
  integer,
  ok,
  type Report,
} from '../internal/command.ts';
import { SCHEME_NAMES } from '../internal/webhookInput.ts';
import { writeSecretFile } from '../internal/writeSecret.ts';

/** Options of `secret generate`, as parsed. */
export interface SecretGenerateOptions {
  scheme?: string;
  ed25519?: boolean;
  bytes?: number;
  format?: 'whsec' | 'base64' | 'hex';
  out?: string;
  json?: boolean;
}

/**
 * The format each scheme's secrets are written in: `whsec_` + base64 where the scheme decodes
 * it (Standard Webhooks) or where the provider issues them so (Stripe's endpoint secrets); hex
 * text for schemes that key the HMAC with the secret's text.
 */
export const SECRET_FORMATS: Readonly<Record<string, 'whsec' | 'hex'>> = Object.freeze({
  standard: 'whsec',
  stripe: 'whsec',
  github: 'hex',
  shopify: 'hex',
  slack: 'hex',
  twilio: 'hex',
  custom: 'hex',
});

/**
 * `portcullis secret generate`: a new webhook secret in the scheme's format, or (`--ed25519`) an
 * Ed25519 key pair for Standard Webhooks `v1a`. With `--out`, the secret goes to a new 0600 file
 * and only the public part is printed.
 */
export async function secretGenerate(
  options: SecretGenerateOptions,
  _context: Context,
): Promise<Report> {
  const scheme = options.scheme ?? DEFAULTS.scheme;
  if (options.ed25519 === true) {
    if (scheme !== 'standard') throw usage('--ed25519 key pairs are for --scheme standard (v1a).');
    if (options.bytes !== undefined || options.format !== undefined)
      throw usage('--bytes and --format do not apply to --ed25519.');
    const { secretKey, publicKey } = await generateKeyPair();
    if (options.out !== undefined) {
      await writeSecretFile(options.out, reveal(secretKey), '--out');
      return ok({ scheme, kind: 'ed25519', publicKey, secretKeyFile: options.out }, [
        `secret key written to ${options.out} (mode 0600): the sender signs with it`,
        `public key: ${publicKey}`,
      ]);
    }
    return ok({ scheme, kind: 'ed25519', secretKey: reveal(secretKey), publicKey }, [
      `secret key: ${reveal(secretKey)}`,
      `public key: ${publicKey}`,
      'The sender signs with the secret key (keep it secret); receivers verify with the public key.',
    ]);
  }
  const settings: GenerateSecretOptions = {
    format: options.format ?? SECRET_FORMATS[scheme] ?? 'hex',
  };
  if (options.bytes !== undefined) settings.bytes = options.bytes;
  const secret = reveal(generateSecret(settings));
  if (options.out !== undefined) {
    await writeSecretFile(options.out, secret, '--out');
    return ok({ scheme, kind: 'hmac', format: settings.format, secretFile: options.out }, [
      `secret written to ${options.out} (mode 0600)`,
    ]);
  }
  return ok({ scheme, kind: 'hmac', format: settings.format, secret }, [secret]);
}

/** Declares the `secret` group: `generate`. */
export function registerSecret(program: Command, act: Act): void {
  const group = program.command('secret').summary('generate webhook secrets and Ed25519 key pairs');
  const command = group
    .command('generate')
    .summary("a new webhook secret in the scheme's format, or an Ed25519 key pair")
    .description(
      "Generate a webhook signing secret in the scheme's format (standard, stripe: whsec_…; the others: hex text), or with --ed25519 a Standard Webhooks v1a key pair (whsk_… to sign, whpk_… to verify). With --out the secret goes to a new file of mode 0600 instead of stdout.",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  portcullis secret generate --scheme github --out github-secret.txt\n  portcullis secret generate --ed25519 --json',
    )
    .addOption(
      choice('--scheme <name>', 'the scheme the secret is for', SCHEME_NAMES).default(
        DEFAULTS.scheme,
      ),
    )
    .option('--ed25519', 'an Ed25519 key pair for Standard Webhooks v1a signatures')
    .option('--bytes <n>', 'random bytes in the secret (default: 32)', integer)
    .addOption(
      choice('--format <format>', "override the scheme's format", ['whsec', 'base64', 'hex']),
    )
    .option('--out <path>', 'write the secret to this new file (mode 0600) instead of stdout');
  addJson(command);
  command.action(act(command, secretGenerate));
}
