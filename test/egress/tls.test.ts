// TLS against a real HTTPS server with a throwaway CA (test/harness/tls.ts): the certificate is
// always validated (against the host name the URL names, not the address dialled), TLS 1.2 is the
// floor (a TLS 1.1 server is refused), mTLS presents a client certificate given as Redacted PEM,
// and a server that requires one refuses a missing or wrong certificate.
import { redacted } from '@portcullis/core';
import { createSecureFetch, isEgressError } from '@portcullis/egress';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedResolver, type Origin, startOrigin } from '../harness/httpOrigin.ts';
import { makeTestPki, type TestPki } from '../harness/tls.ts';

let pki: TestPki;
let otherPki: TestPki;
let server: Origin;
let mtls: Origin;

beforeAll(async () => {
  [pki, otherPki] = await Promise.all([makeTestPki(), makeTestPki({ caName: 'Other CA' })]);
  server = await startOrigin({ tls: { cert: pki.server.cert, key: pki.server.key } });
  mtls = await startOrigin({
    tls: {
      cert: pki.server.cert,
      key: pki.server.key,
      ca: pki.ca,
      requestCert: true,
      rejectUnauthorized: true,
    },
  });
});
afterAll(async () => {
  await Promise.all([server?.close(), mtls?.close()]);
});

const base = { allowAddresses: ['127.0.0.1'], allowHosts: ['127.0.0.1:*', 'localhost:*'] };

describe('server certificate', () => {
  it('is trusted through the custom CA', async () => {
    const secureFetch = createSecureFetch({ ...base, tls: { ca: pki.ca } });
    try {
      const response = await secureFetch(`${server.url}/`);
      expect(await response.json()).toEqual({ ok: true });
    } finally {
      await secureFetch.close();
    }
  });

  it('from an unknown CA is refused (validation cannot be turned off)', async () => {
    for (const tls of [{}, { ca: otherPki.ca }]) {
      const secureFetch = createSecureFetch({ ...base, tls });
      const before = server.requests.length;
      try {
        const error = await secureFetch(`${server.url}/`).catch((e: unknown) => e);
        expect(isEgressError(error, 'ERR_EGRESS_TLS_FAILED')).toBe(true);
        expect(server.requests.length).toBe(before);
      } finally {
        await secureFetch.close();
      }
    }
  });

  it('is checked against the name in the URL, not the address dialled', async () => {
    // The certificate is for 127.0.0.1 (an IP SAN) only; "localhost" resolves to 127.0.0.1.
    const secureFetch = createSecureFetch({
      ...base,
      tls: { ca: pki.ca },
      resolver: fixedResolver({ localhost: '127.0.0.1' }),
    });
    try {
      await expect(secureFetch(`https://localhost:${server.port}/`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_TLS_FAILED',
      });
    } finally {
      await secureFetch.close();
    }
  });
});

describe('protocol version', () => {
  it('a server that speaks at most TLS 1.1 is refused', async () => {
    const old = await startOrigin({
      tls: {
        cert: pki.server.cert,
        key: pki.server.key,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      },
    });
    const secureFetch = createSecureFetch({ ...base, tls: { ca: pki.ca } });
    try {
      await expect(secureFetch(`${old.url}/`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_TLS_FAILED',
      });
      expect(old.requests).toHaveLength(0);
    } finally {
      await secureFetch.close();
      await old.close();
    }
  });

  it("minVersion 'TLSv1.3' refuses a TLS 1.2-only server that the default accepts", async () => {
    const tls12 = await startOrigin({
      tls: { cert: pki.server.cert, key: pki.server.key, maxVersion: 'TLSv1.2' },
    });
    const lenient = createSecureFetch({ ...base, tls: { ca: pki.ca } });
    const strict = createSecureFetch({ ...base, tls: { ca: pki.ca, minVersion: 'TLSv1.3' } });
    try {
      expect((await lenient(`${tls12.url}/`)).status).toBe(200);
      await expect(strict(`${tls12.url}/`)).rejects.toMatchObject({
        code: 'ERR_EGRESS_TLS_FAILED',
      });
    } finally {
      await Promise.all([lenient.close(), strict.close()]);
      await tls12.close();
    }
  });
});

describe('mutual TLS', () => {
  it('presents the client certificate given as Redacted PEM', async () => {
    const secureFetch = createSecureFetch({
      ...base,
      tls: { ca: pki.ca, cert: pki.client.cert, key: redacted(pki.client.key) },
    });
    try {
      const response = await secureFetch(`${mtls.url}/`);
      expect(response.status).toBe(200);
      await response.text();
      expect(mtls.requests.at(-1)?.clientSubject).toBe('CN=svc-mtls');
    } finally {
      await secureFetch.close();
    }
  });

  // Under TLS 1.3 the client's handshake completes before the server judges its certificate: the
  // refusal arrives as the server closing the connection, hence NETWORK or TLS_FAILED.
  it('a missing client certificate, or one from another CA, gets no request through', async () => {
    const cases = [
      { ca: pki.ca },
      { ca: pki.ca, cert: otherPki.client.cert, key: redacted(otherPki.client.key) },
      { ca: pki.ca, cert: pki.selfSigned.cert, key: redacted(pki.selfSigned.key) },
    ];
    for (const tls of cases) {
      const secureFetch = createSecureFetch({ ...base, tls });
      const before = mtls.requests.length;
      try {
        const error = await secureFetch(`${mtls.url}/`).catch((e: unknown) => e);
        expect(isEgressError(error)).toBe(true);
        expect(['ERR_EGRESS_TLS_FAILED', 'ERR_EGRESS_NETWORK']).toContain(
          (error as { code: string }).code,
        );
        expect(mtls.requests.length).toBe(before);
      } finally {
        await secureFetch.close();
      }
    }
  });

  it('under TLS 1.2 the refusal is a typed TLS failure', async () => {
    const mtls12 = await startOrigin({
      tls: {
        cert: pki.server.cert,
        key: pki.server.key,
        ca: pki.ca,
        requestCert: true,
        rejectUnauthorized: true,
        maxVersion: 'TLSv1.2',
      },
    });
    const secureFetch = createSecureFetch({
      ...base,
      tls: { ca: pki.ca, cert: otherPki.client.cert, key: redacted(otherPki.client.key) },
    });
    try {
      const error = await secureFetch(`${mtls12.url}/`).catch((e: unknown) => e);
      expect(isEgressError(error, 'ERR_EGRESS_TLS_FAILED')).toBe(true);
      expect(mtls12.requests).toHaveLength(0);
    } finally {
      await secureFetch.close();
      await mtls12.close();
    }
  });

  it('a cert without its key (or the reverse) is a TypeError at construction', () => {
    expect(() => createSecureFetch({ ...base, tls: { cert: pki.client.cert } })).toThrow(TypeError);
  });
});
