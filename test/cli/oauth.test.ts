// `portcullis token get` and `portcullis jwt verify`, the built binary against the real
// oidc-provider of test/harness/oidc.ts on 127.0.0.1: claims and expiry printed, the token only
// with --show-token, the client secret never; the JWT verified through discovery and a JWKS URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDC_CLIENTS, OIDC_RESOURCE, type OidcPeer, startOidc } from '../harness/oidc.ts';
import { freePort } from '../harness/ports.ts';
import { ensureBuilt, parsed, portcullis } from './binary.ts';

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;
let oidc: OidcPeer;

beforeAll(async () => {
  [oidc] = await Promise.all([startOidc({ accessTokenTtlSec: 120 }), ensureBuilt()]);
});
afterAll(() => oidc?.stop());

const tokenArgs = (extra: string[] = []) => [
  'token',
  'get',
  '--issuer',
  oidc.issuer,
  '--client-id',
  OIDC_CLIENTS.basic.clientId,
  '--secret-env',
  'CLIENT_SECRET',
  '--scope',
  'orders:read',
  '--resource',
  OIDC_RESOURCE,
  '--allow-insecure-http',
  ...extra,
];
const env = () => ({ CLIENT_SECRET: OIDC_CLIENTS.basic.secret });

async function token(): Promise<string> {
  const r = await portcullis(tokenArgs(['--show-token', '--json']), { env: env() });
  expect(r.code).toBe(0);
  return parsed(r).token as string;
}

describe.concurrent('portcullis token get (built binary, real oidc-provider)', () => {
  it('prints the decoded claims and expiry, never the token or the client secret', async () => {
    const [text, json] = await Promise.all([
      portcullis(tokenArgs(), { env: env() }),
      portcullis(tokenArgs(['--json']), { env: env() }),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Bearer token sha256:[0-9a-f]{12}, expires .* \(in 1[12]\d s\)/);
    expect(text.stdout).toContain(`"aud": "${OIDC_RESOURCE}"`);
    expect(text.stdout).toContain('add --show-token');
    const body = parsed(json);
    expect(body).toMatchObject({
      ok: true,
      command: 'token get',
      type: 'Bearer',
      format: 'jwt',
      scopes: ['orders:read'],
      header: { alg: 'RS256' },
      claims: {
        iss: oidc.issuer,
        aud: OIDC_RESOURCE,
        client_id: OIDC_CLIENTS.basic.clientId,
        scope: 'orders:read',
      },
    });
    expect(body.expiresInSec).toBeGreaterThan(100);
    expect(body).not.toHaveProperty('token');
    for (const r of [text, json]) {
      expect(r.stdout + r.stderr).not.toMatch(JWT);
      expect(r.stdout + r.stderr).not.toContain(OIDC_CLIENTS.basic.secret);
    }
  });

  it('prints the token with --show-token, with client_secret_post and a token endpoint too', async () => {
    const r = await portcullis(
      [
        'token',
        'get',
        '--token-endpoint',
        oidc.tokenEndpoint,
        '--client-id',
        OIDC_CLIENTS.post.clientId,
        '--auth',
        'client_secret_post',
        '--secret-stdin',
        '--resource',
        OIDC_RESOURCE,
        '--allow-insecure-http',
        '--show-token',
      ],
      { stdin: `${OIDC_CLIENTS.post.secret}\n` },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`token: ${JWT.source}`));
    expect(r.stdout).not.toContain(OIDC_CLIENTS.post.secret);
  });

  it('exits 1 with ERR_OAUTH_CLIENT_REJECTED for a wrong client secret, without printing it', async () => {
    const r = await portcullis(tokenArgs(), {
      env: { CLIENT_SECRET: 'wrong-secret-0123456789abcdef' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('portcullis: ERR_OAUTH_CLIENT_REJECTED');
    expect(r.stdout + r.stderr).not.toContain('wrong-secret-0123456789abcdef');
  });

  it('exits 3 when the authorization server is not there', async () => {
    const port = await freePort();
    const r = await portcullis(
      [
        'token',
        'get',
        '--token-endpoint',
        `http://127.0.0.1:${port}/token`,
        '--client-id',
        'svc',
        '--secret-env',
        'CLIENT_SECRET',
        '--allow-insecure-http',
        '--timeout-ms',
        '2000',
        '--json',
      ],
      { env: env() },
    );
    expect(r.code).toBe(3);
    expect(parsed(r)).toMatchObject({
      ok: false,
      error: { code: 'ERR_OAUTH_SERVER_UNAVAILABLE', exitCode: 3 },
    });
  });

  it('refuses an http: issuer without --allow-insecure-http (usage, exit 2)', async () => {
    const r = await portcullis(
      tokenArgs().filter((a) => a !== '--allow-insecure-http'),
      { env: env() },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ERR_CLI_USAGE: An http: URL needs --allow-insecure-http');
  });
});

describe.concurrent('portcullis jwt verify (built binary, the provider JWKS)', () => {
  it('verifies a token through issuer discovery and through --jwks-uri', async () => {
    const jwt = await token();
    const base = [
      'jwt',
      'verify',
      '--issuer',
      oidc.issuer,
      '--audience',
      OIDC_RESOURCE,
      '--allow-insecure-http',
      '--require-scope',
      'orders:read',
    ];
    const [discovered, pinned] = await Promise.all([
      portcullis([...base, '--token-stdin', '--json'], { stdin: jwt }),
      portcullis([...base, '--jwks-uri', oidc.jwksUri, '--token-env', 'ACCESS_TOKEN'], {
        env: { ACCESS_TOKEN: jwt },
      }),
    ]);
    expect(discovered.code).toBe(0);
    expect(parsed(discovered)).toMatchObject({
      ok: true,
      valid: true,
      claims: { iss: oidc.issuer, aud: OIDC_RESOURCE, scopes: ['orders:read'] },
    });
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toContain(
      `valid: issued by ${oidc.issuer} to ${OIDC_CLIENTS.basic.clientId}`,
    );
    for (const r of [discovered, pinned]) expect(r.stdout + r.stderr).not.toContain(jwt);
  });

  it('exits 1 with the code for another audience, a missing scope and a forged signature', async () => {
    const jwt = await token();
    const base = [
      'jwt',
      'verify',
      '--issuer',
      oidc.issuer,
      '--allow-insecure-http',
      '--token-env',
      'T',
      '--json',
    ];
    const [parts0, parts1, parts2] = jwt.split('.');
    const forged = `${parts0}.${parts1}.${(parts2 as string).slice(0, -4)}AAAA`;
    const [audience, scope, signature] = await Promise.all([
      portcullis([...base, '--audience', 'https://api.other.test'], { env: { T: jwt } }),
      portcullis([...base, '--audience', OIDC_RESOURCE, '--require-scope', 'orders:write'], {
        env: { T: jwt },
      }),
      portcullis([...base, '--audience', OIDC_RESOURCE], { env: { T: forged } }),
    ]);
    expect(audience.code).toBe(1);
    expect(parsed(audience)).toMatchObject({
      valid: false,
      error: { code: 'ERR_OAUTH_TOKEN_INVALID' },
    });
    expect(scope.code).toBe(1);
    expect(parsed(scope)).toMatchObject({ error: { code: 'ERR_OAUTH_INSUFFICIENT_SCOPE' } });
    expect(signature.code).toBe(1);
    expect(parsed(signature)).toMatchObject({ error: { code: 'ERR_OAUTH_TOKEN_INVALID' } });
    for (const r of [audience, scope, signature]) expect(r.stdout).not.toContain(jwt);
  });
});
