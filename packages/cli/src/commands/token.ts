import type { AccessToken, TokenProviderOptions } from '@portcullis/oauth';
import type { Command } from 'commander';
import { DEFAULTS } from '../DEFAULTS.ts';
import { usage } from '../errors/CliError.ts';
import { clockFrom } from '../internal/clock.ts';
import {
  type Act,
  addJson,
  addSecretFlags,
  type Context,
  choice,
  collect,
  integer,
  ok,
  type Report,
  requireHttps,
  secretFlags,
} from '../internal/command.ts';

/** Options of `token get`, as parsed. */
export interface TokenGetOptions {
  issuer?: string;
  tokenEndpoint?: string;
  clientId: string;
  auth?: 'client_secret_basic' | 'client_secret_post';
  scope?: string[];
  resource?: string[];
  audience?: string;
  allowInsecureHttp?: boolean;
  timeoutMs?: number;
  showToken?: boolean;
  json?: boolean;
}

/** The token's claims and header when it is a JWT, else `undefined` (an opaque token). */
export async function decodeClaims(
  token: string,
): Promise<{ header: Record<string, unknown>; claims: Record<string, unknown> } | undefined> {
  // Loaded when used, so commands that need no JOSE start faster.
  const { decodeJwt, decodeProtectedHeader } = await import('jose');
  try {
    return { header: { ...decodeProtectedHeader(token) }, claims: { ...decodeJwt(token) } };
  } catch {
    return undefined;
  }
}

/** What is printed of a token: never its value unless asked. */
async function describe(
  token: AccessToken,
  now: number,
  show: boolean,
): Promise<{ data: Record<string, unknown>; text: string[] }> {
  const value = token.value.reveal();
  const decoded = await decodeClaims(value);
  const expiresInSec = Math.round((token.expiresAt - now) / 1000);
  const data: Record<string, unknown> = {
    type: token.type,
    fingerprint: token.fingerprint,
    scopes: token.scopes,
    issuedAt: new Date(token.issuedAt).toISOString(),
    expiresAt: new Date(token.expiresAt).toISOString(),
    expiresInSec,
    format: decoded === undefined ? 'opaque' : 'jwt',
    ...(decoded === undefined ? {} : { header: decoded.header, claims: decoded.claims }),
    ...(show ? { token: value } : {}),
  };
  const text = [
    `${token.type} token ${token.fingerprint}, expires ${data.expiresAt} (in ${expiresInSec} s)`,
    `scopes: ${token.scopes.join(' ') || '(none)'}`,
    ...(decoded === undefined
      ? ['opaque token: no claims to decode']
      : [
          `header: ${JSON.stringify(decoded.header)}`,
          'claims:',
          ...JSON.stringify(decoded.claims, null, 2)
            .split('\n')
            .map((l) => `  ${l}`),
        ]),
    ...(show ? [`token: ${value}`] : ['(the token itself is not printed: add --show-token)']),
  ];
  return { data, text };
}

/**
 * `portcullis token get`: a client-credentials token from an authorization server (through
 * `@portcullis/oauth`), printed as its decoded claims and expiry; the token itself only with
 * `--show-token`.
 */
export async function tokenGet(
  options: TokenGetOptions & Record<string, unknown>,
  context: Context,
): Promise<Report> {
  if ((options.issuer === undefined) === (options.tokenEndpoint === undefined))
    throw usage('Give --issuer (discovery) or --token-endpoint, one of them.');
  requireHttps([options.issuer, options.tokenEndpoint], options.allowInsecureHttp);
  const secret = await context.inputs.secret(
    secretFlags(options, 'secret'),
    'secret',
    'the client secret',
  );
  const settings: TokenProviderOptions = {
    clientId: options.clientId,
    clientAuth: { method: options.auth ?? DEFAULTS.auth, secret },
    clock: clockFrom(context.io),
  };
  if (options.issuer !== undefined) settings.issuer = options.issuer;
  if (options.tokenEndpoint !== undefined) settings.tokenEndpoint = options.tokenEndpoint;
  if (options.scope !== undefined) settings.scope = options.scope;
  if (options.resource !== undefined) settings.resource = options.resource;
  if (options.audience !== undefined) settings.audience = options.audience;
  if (options.allowInsecureHttp === true) settings.allowInsecureHttp = true;
  if (options.timeoutMs !== undefined) settings.timeoutMs = options.timeoutMs;
  const { createTokenProvider } = await import('@portcullis/oauth');
  const provider = createTokenProvider(settings);
  try {
    const token = await provider.getToken();
    const { data, text } = await describe(token, context.io.now(), options.showToken === true);
    return ok(data, text);
  } finally {
    provider.close();
  }
}

/** Declares the `token` group: `get`. */
export function registerToken(program: Command, act: Act): void {
  const group = program
    .command('token')
    .summary('fetch OAuth 2.0 client-credentials tokens (@portcullis/oauth)');
  const command = group
    .command('get')
    .summary('fetch a client-credentials token and print its claims and expiry')
    .description(
      'Fetch a client-credentials token and print its decoded claims, scopes and expiry. The token itself is printed only with --show-token; the client secret is read from a file, stdin or the environment.',
    )
    .addHelpText(
      'after',
      '\nExample:\n  portcullis token get --issuer https://auth.example.com --client-id svc \\\n    --secret-env CLIENT_SECRET --scope orders:read --resource https://api.example.com',
    )
    .option('--issuer <url>', 'the issuer (its metadata is discovered)')
    .option('--token-endpoint <url>', 'the token endpoint (no discovery)')
    .requiredOption('--client-id <id>', 'the client id')
    .addOption(
      choice('--auth <method>', 'client authentication', [
        'client_secret_basic',
        'client_secret_post',
      ]).default(DEFAULTS.auth),
    )
    .option('--scope <scope>', 'a scope to request (repeatable)', collect)
    .option('--resource <url>', 'a resource indicator, RFC 8707 (repeatable)', collect)
    .option('--audience <audience>', "the 'audience' parameter (Auth0, Okta)")
    .option('--allow-insecure-http', 'allow an http: authorization server (local development only)')
    .option('--timeout-ms <ms>', 'timeout of each request (default: 10000)', integer)
    .option('--show-token', 'print the token itself too');
  addSecretFlags(command, 'secret', 'the client secret');
  addJson(command);
  command.action(act(command, tokenGet));
}
