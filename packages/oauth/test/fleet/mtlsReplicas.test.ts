import { ManualClock, MemoryStore } from '@portcullis/core';
import { createTokenProvider, type TokenProviderOptions } from '@portcullis/oauth';
import { describe, expect, it } from 'vitest';
import { fakeServer, ISSUER } from '../fakeServer.ts';
import { T0 } from './helpers.ts';

// Two client certificates from one test CA with the same subject (CN=svc-mtls), as two replicas
// of a fleet might hold. Public material only; validity does not matter for a thumbprint.
const CERT_A = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBhTCCASqgAwIBAgIQWvF+78lLvqw2CNHL8vTHFjAKBggqhkjOPQQDAjAdMRsw',
  'GQYDVQQDExJQb3J0Y3VsbGlzIFRlc3QgQ0EwHhcNMjYxMTIzMTQwNDEyWhcNMjYx',
  'MTI0MTQwNTEyWjATMREwDwYDVQQDEwhzdmMtbXRsczBZMBMGByqGSM49AgEGCCqG',
  'SM49AwEHA0IABExsqRHvwxLsdSMpbSCICOSiPyPuKfzVI797UKUTufD/Z/yPuVRM',
  's8F4LJ7baXJO5J+SG6EGdJnPbs0l5qB/ml6jVjBUMAwGA1UdEwEB/wQCMAAwDgYD',
  'VR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMCMB8GA1UdIwQYMBaAFNUO',
  'ScAmmYUCOkU5pUjHYu4/zSOsMAoGCCqGSM49BAMCA0kAMEYCIQCCRAHpPNLkTTPY',
  'hBdqvPQtSBf9LdbCvkKWUanpZpFZBQIhAMUa2GkkPRmxBiNEUWbJ6qDcwL1Nm3y0',
  'SFam9wz1Zg8e',
  '-----END CERTIFICATE-----',
].join('\n');
const CERT_B = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBhDCCASqgAwIBAgIQHp6yocKBMm7U/igqbHZEZDAKBggqhkjOPQQDAjAdMRsw',
  'GQYDVQQDExJQb3J0Y3VsbGlzIFRlc3QgQ0EwHhcNMjYxMTIzMTQwNDEzWhcNMjYx',
  'MTI0MTQwNTEzWjATMREwDwYDVQQDEwhzdmMtbXRsczBZMBMGByqGSM49AgEGCCqG',
  'SM49AwEHA0IABCjxfkvGGNOQeUer+Xn1b+maXE2xpDa3+1fma6xw49h1+tHXjYEb',
  'GzkKIW0BgwBMTVTOYzsI64yre82puW++CHOjVjBUMAwGA1UdEwEB/wQCMAAwDgYD',
  'VR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMCMB8GA1UdIwQYMBaAFNUO',
  'ScAmmYUCOkU5pUjHYu4/zSOsMAoGCCqGSM49BAMCA0gAMEUCIQD2iFlxD7Re9guB',
  'dA+MONX6t5P3Cw9i9kcROIt7dL6GWwIga5yIiG+LDkoCdDBx3aUQIlCFdiwIMa9P',
  '55EbIL3vII0=',
  '-----END CERTIFICATE-----',
].join('\n');

function derOf(pem: string): Uint8Array {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
}

describe("fleet mode with mTLS: tokens are bound to each replica's certificate", () => {
  const mtls = (certificate?: string | Uint8Array): Partial<TokenProviderOptions> => ({
    clientAuth:
      certificate === undefined
        ? { method: 'tls_client_auth' }
        : { method: 'tls_client_auth', certificate },
  });

  it('replicas with different certificates never share a token; the same certificate (PEM or DER) does', async () => {
    const clock = new ManualClock(T0);
    const store = new MemoryStore({ clock });
    const server = fakeServer(clock);
    const make = (certificate: string | Uint8Array) =>
      createTokenProvider({
        issuer: ISSUER,
        clientId: 'svc',
        scope: 'read',
        fetch: server.fetch,
        clock,
        fleet: { store },
        ...mtls(certificate),
      } as TokenProviderOptions);
    const a = make(CERT_A);
    const b = make(CERT_B);
    const aDer = make(derOf(CERT_A));
    const tokenA = await a.getToken();
    const tokenB = await b.getToken();
    expect(tokenB.value.reveal()).not.toBe(tokenA.value.reveal());
    expect(server.tokenRequests).toHaveLength(2);
    expect((await aDer.getToken()).value.reveal()).toBe(tokenA.value.reveal());
    expect(server.tokenRequests).toHaveLength(2);
    for (const p of [a, b, aDer]) p.close();
  });

  it('mTLS with a fleet needs the certificate; a certificate must parse', () => {
    const base = { issuer: ISSUER, clientId: 'svc', fleet: { store: new MemoryStore() } };
    expect(() => createTokenProvider({ ...base, ...mtls() } as TokenProviderOptions)).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_TYPE',
        message: expect.stringContaining('clientAuth.certificate'),
      }),
    );
    expect(() =>
      createTokenProvider({
        ...base,
        ...mtls('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'),
      } as TokenProviderOptions),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() =>
      createTokenProvider({
        ...base,
        clientAuth: { method: 'tls_client_auth', certificate: 42 },
      } as unknown as TokenProviderOptions),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    // Without a fleet the certificate stays optional (one process, one certificate).
    const { fleet: _fleet, ...single } = base;
    expect(() =>
      createTokenProvider({ ...single, ...mtls() } as TokenProviderOptions),
    ).not.toThrow();
  });
});
