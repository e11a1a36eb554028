// The advice explain() adds once the verifier's checks have given their verdict: which providers'
// headers are present, and the variants (body, URL, secret) that usually explain a mismatch.
// Private to explain; it never decides a verdict.
import { github } from '../schemes/github.ts';
import { shopify } from '../schemes/shopify.ts';
import { slack } from '../schemes/slack.ts';
import { standard } from '../schemes/standard.ts';
import { stripe } from '../schemes/stripe.ts';
import { twilio } from '../schemes/twilio.ts';
import type { SecretsOption } from '../types.ts';
import type { CheckContext } from './checks.ts';
import type { Part } from './crypto/CryptoBackend.ts';
import { altKeys, bodyVariants, tryMatch } from './explainVariants.ts';
import { headerReader } from './headers.ts';
import { type ParsedHeaders, type SchemeSpec, specOf } from './scheme.ts';
import { listSecrets, type PreparedKey } from './secrets.ts';

const BUILT_IN: readonly SchemeSpec[] = [standard, stripe, github, shopify, slack, twilio].map(
  (s) => specOf(s, 'scheme'),
);

/** Built-in schemes whose headers are present (any length: this is advice, not a check). */
export function detectSchemes(headers: unknown): string[] {
  let read: (name: string) => string | undefined;
  try {
    read = headerReader(headers as Parameters<typeof headerReader>[0], Number.MAX_SAFE_INTEGER);
  } catch {
    return [];
  }
  return BUILT_IN.filter((s) => {
    try {
      return s.headerNames.some((h) => read(h) !== undefined);
    } catch {
      return true; // present, but sent twice or not text
    }
  }).map((s) => s.name);
}

/** What to check when a configured secret cannot be decoded. */
export async function secretHint(scheme: SchemeSpec, secrets: SecretsOption): Promise<string[]> {
  const hint =
    scheme.name === 'standard'
      ? 'Standard Webhooks secrets are "whsec_" (once, in lower case) followed by base64 of at least 24 bytes (copy the whole value); "whpk_" public keys verify v1a signatures.'
      : `Check the ${scheme.name} secret: copy it whole from the provider's dashboard, without quotes or whitespace.`;
  const spaced = await whitespaceCause(scheme, secrets);
  return spaced === undefined ? [hint] : [spaced, hint];
}

/** A cause when a configured secret has whitespace around it (a newline from a file, a space). */
export async function whitespaceCause(
  scheme: SchemeSpec,
  secrets: SecretsOption,
): Promise<string | undefined> {
  let list: { secret: string }[];
  try {
    list = await listSecrets(secrets);
  } catch {
    return undefined;
  }
  const index = list.findIndex(({ secret }) => secret !== secret.trim());
  if (index < 0) return undefined;
  return `Secret #${index} has whitespace around it (a newline from a file or an environment variable, a space from copying): ${scheme.textSecrets ? `the ${scheme.name} scheme uses the secret's exact text, so it is a different key` : 'it cannot be decoded'}. Trim it.`;
}

/** The likely causes of a signature mismatch, most likely first. */
export async function mismatchCauses(
  ctx: CheckContext,
  secrets: SecretsOption,
  keys: readonly PreparedKey[],
  parsed: ParsedHeaders,
  body: Part,
  url: string | undefined,
  detectedSchemes: readonly string[],
): Promise<string[]> {
  const scheme = ctx.scheme;
  const causes: string[] = [];
  if (parsed.signatures.length === 0) {
    causes.push(
      `The signature header carries no signature this scheme reads (${scheme.name === 'standard' ? 'v1 or v1a' : 'expected format'}).`,
    );
  }
  for (const variant of bodyVariants(body)) {
    if ((await tryMatch(ctx, keys, parsed, variant.body, url)) !== undefined) {
      causes.push(
        `The body was changed after signing: ${variant.why}. Verify the exact bytes received.`,
      );
      break;
    }
  }
  if (scheme.requiresUrl && url !== undefined) {
    const urls = [
      url.replace(/^http:/, 'https:'),
      url.replace(/^https:/, 'http:'),
      url.endsWith('/') ? url.slice(0, -1) : `${url}/`,
    ];
    for (const other of urls) {
      if (other !== url && (await tryMatch(ctx, keys, parsed, body, other)) !== undefined) {
        causes.push(
          'The URL differs from the one the sender signed (scheme or trailing slash): behind a proxy or a mount, rebuild the public URL (readIncomingMessage uses req.originalUrl).',
        );
        break;
      }
    }
  }
  if (
    (await tryMatch(ctx, await altKeys(ctx.backend, scheme, secrets), parsed, body, url)) !==
    undefined
  ) {
    causes.push(
      `The right secret, read the wrong way: for ${scheme.name} it must be ${scheme.name === 'standard' ? 'base64-decoded after the whsec_ prefix' : 'used as its exact text'}. Use the matching scheme.`,
    );
  }
  const others = detectedSchemes.filter((n) => n !== scheme.name);
  if (others.length)
    causes.push(`The request also carries ${others.join(', ')} headers: is this the right scheme?`);
  causes.push(
    "The secret does not match the one the sender used: another environment (test vs live), another endpoint, or a secret rotated out. Copy the endpoint's current secret again.",
  );
  return causes;
}
