import { reveal } from '@portcullis/core';
import type { AccessTokenVerifierOptions } from '@portcullis/oauth/verifier';
import type { Command } from 'commander';
import { clockFrom } from '../internal/clock.ts';
import {
  type Act,
  addJson,
  addSecretFlags,
  type Context,
  collect,
  integer,
  ok,
  type Report,
  refused,
  requireHttps,
  secretFlags,
} from '../internal/command.ts';

/** Options of `jwt verify`, as parsed. */
export interface JwtVerifyOptions {
  issuer: string;
  audience: string[];
  jwksUri?: string;
  requireScope?: string[];
  clockToleranceSec?: number;
  allowInsecureHttp?: boolean;
  allowSenderConstrained?: boolean;
  json?: boolean;
}

/**
 * `portcullis jwt verify`: verifies a JWT access token (RFC 9068) with
 * `@portcullis/oauth/verifier` against the issuer's JWKS (discovered, or `--jwks-uri`) and
 * prints its claims; exit 1 with the verifier's code when it is refused.
 */
export async function jwtVerify(
  options: JwtVerifyOptions & Record<string, unknown>,
  context: Context,
): Promise<Report> {
  requireHttps([options.issuer, options.jwksUri], options.allowInsecureHttp);
  const token = await context.inputs.secret(secretFlags(options, 'token'), 'token', 'the token');
  const settings: AccessTokenVerifierOptions = {
    issuer: options.issuer,
    audience: options.audience,
    clock: clockFrom(context.io),
  };
  if (options.jwksUri !== undefined) settings.jwksUri = options.jwksUri;
  if (options.requireScope !== undefined) settings.requiredScopes = options.requireScope;
  if (options.clockToleranceSec !== undefined)
    settings.clockToleranceSec = options.clockToleranceSec;
  if (options.allowInsecureHttp === true) settings.allowInsecureHttp = true;
  if (options.allowSenderConstrained === true) settings.allowSenderConstrained = true;
  // Loaded when used, so the other commands start faster.
  const { createAccessTokenVerifier, isAccessTokenError } = await import(
    '@portcullis/oauth/verifier'
  );
  const verifier = createAccessTokenVerifier(settings);
  try {
    const claims = await verifier.verify(reveal(token));
    const expiresInSec = Math.round(claims.exp - context.io.now() / 1000);
    return ok(
      { valid: true, claims, expiresAt: new Date(claims.exp * 1000).toISOString(), expiresInSec },
      [
        `valid: issued by ${claims.iss} to ${claims.client_id ?? claims.sub ?? '(no subject)'}, expires in ${expiresInSec} s`,
        `scopes: ${claims.scopes.join(' ') || '(none)'}`,
        'claims:',
        ...JSON.stringify(claims, null, 2)
          .split('\n')
          .map((l) => `  ${l}`),
      ],
    );
  } catch (error) {
    if (!isAccessTokenError(error) || error.code === 'ERR_OAUTH_JWKS_UNAVAILABLE') throw error;
    return refused(
      error.code,
      error.message,
      { valid: false, wwwAuthenticate: error.wwwAuthenticate },
      [`invalid: ${error.message}`],
    );
  }
}

/** Declares the `jwt` group: `verify`. */
export function registerJwt(program: Command, act: Act): void {
  const group = program
    .command('jwt')
    .summary('verify JWT access tokens (@portcullis/oauth/verifier)');
  const command = group
    .command('verify')
    .summary("verify a JWT access token against the issuer's keys")
    .description(
      "Verify a JWT access token (RFC 9068): signature against the issuer's JWKS (discovered from the issuer, or --jwks-uri), issuer, audience, expiry, scopes. The token is read from a file, stdin or the environment. Exit 1 with the stable code when it is refused.",
    )
    .addHelpText(
      'after',
      '\nExample:\n  portcullis jwt verify --issuer https://auth.example.com --audience https://api.example.com \\\n    --token-env ACCESS_TOKEN',
    )
    .requiredOption('--issuer <url>', 'the expected issuer (its metadata gives the JWKS)')
    .requiredOption('--audience <audience>', 'an accepted audience (repeatable)', collect)
    .option('--jwks-uri <url>', 'the JWKS URL (default: discovered from the issuer)')
    .option('--require-scope <scope>', 'a scope the token must carry (repeatable)', collect)
    .option('--clock-tolerance-sec <seconds>', 'leeway for exp/nbf/iat (default: 5)', integer)
    .option(
      '--allow-sender-constrained',
      'accept DPoP/mTLS-bound tokens (the binding is not checked)',
    )
    .option('--allow-insecure-http', 'allow an http: issuer or JWKS URL (local development only)');
  addSecretFlags(command, 'token', 'the token');
  addJson(command);
  command.action(act(command, jwtVerify));
}
