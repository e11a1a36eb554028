import { Readable } from 'node:stream';
import {
  createSigner,
  createVerifier,
  readIncomingMessage,
  readRequest,
  schemes,
} from '@portcullis/webhooks';
import { describe, expect, it } from 'vitest';
import { BACKENDS, SECRET } from './helpers.ts';

const body = '{"type":"ping"}';

function incoming(
  chunks: (string | Uint8Array)[],
  headers: Record<string, string>,
  extra: object = {},
) {
  return Object.assign(
    Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))),
    { headers, url: '/hooks?x=1' },
    extra,
  );
}

describe('readRequest (Fetch API)', () => {
  it('reads headers, raw bytes and the URL of a Request, and the verifier accepts them', async () => {
    const headers = await createSigner({ secrets: SECRET }).sign({ body });
    const request = new Request('https://example.com/hooks', { method: 'POST', headers, body });
    const input = await readRequest(request);
    expect(new TextDecoder().decode(input.body)).toBe(body);
    expect(input.url).toBe('https://example.com/hooks');
    await expect(createVerifier({ secrets: SECRET }).verify(input)).resolves.toMatchObject({
      scheme: 'standard',
    });
  });

  it('bounds the body and refuses a body already read', async () => {
    const big = new Request('https://example.com/', { method: 'POST', body: 'x'.repeat(100) });
    await expect(readRequest(big, { maxBodyBytes: 10 })).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_BODY_TOO_LARGE',
      status: 413,
    });
    const used = new Request('https://example.com/', { method: 'POST', body });
    await used.text();
    await expect(readRequest(used)).rejects.toMatchObject({ code: 'ERR_WEBHOOK_BODY_NOT_RAW' });
    await expect(readRequest({} as Request)).rejects.toThrow(TypeError);
  });
});

describe('readIncomingMessage (Node)', () => {
  it('reads a streamed body in chunks and the verifier accepts it', async () => {
    const headers = await createSigner({ secrets: SECRET }).sign({ body });
    const input = await readIncomingMessage(incoming([body.slice(0, 5), body.slice(5)], headers));
    await expect(createVerifier({ secrets: SECRET }).verify(input)).resolves.toBeDefined();
  });

  it('uses a raw Buffer from express.raw(), refuses a parsed object, bounds the size', async () => {
    const headers = await createSigner({ secrets: SECRET }).sign({ body });
    const raw = await readIncomingMessage(incoming([], headers, { body: Buffer.from(body) }));
    await expect(createVerifier({ secrets: SECRET }).verify(raw)).resolves.toBeDefined();
    await expect(
      readIncomingMessage(incoming([], headers, { body: JSON.parse(body) })),
    ).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_BODY_NOT_RAW',
    });
    await expect(
      readIncomingMessage(incoming(['x'.repeat(64), 'y'.repeat(64)], {}), { maxBodyBytes: 100 }),
    ).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_BODY_TOO_LARGE',
    });
  });

  it('always returns the body as bytes, also from express.text(), bounded by its UTF-8 size', async () => {
    const headers = await createSigner({ secrets: SECRET }).sign({ body: 'héllo ✓' });
    const input = await readIncomingMessage(incoming([], headers, { body: 'héllo ✓' }));
    expect(input.body).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(input.body)).toBe('héllo ✓');
    await expect(createVerifier({ secrets: SECRET }).verify(input)).resolves.toBeDefined();
    // 7 characters, 10 bytes in UTF-8: the bound is on bytes.
    await expect(
      readIncomingMessage(incoming([], headers, { body: 'héllo ✓' }), { maxBodyBytes: 8 }),
    ).rejects.toMatchObject({ code: 'ERR_WEBHOOK_BODY_TOO_LARGE' });
  });

  it('rebuilds the public URL for Twilio from publicOrigin', async () => {
    const form = 'Body=hi&From=%2B15550001';
    const headers = await createSigner({ scheme: schemes.twilio, secrets: 'tok' }).sign({
      body: form,
      url: 'https://hooks.example.com/hooks?x=1',
    });
    const input = await readIncomingMessage(incoming([form], headers), {
      publicOrigin: 'https://hooks.example.com',
    });
    expect(input.url).toBe('https://hooks.example.com/hooks?x=1');
    await expect(
      createVerifier({ scheme: schemes.twilio, secrets: 'tok' }).verify(input),
    ).resolves.toBeDefined();
  });

  it('refuses a request path that is not a URL path, and a bad publicOrigin as misuse', async () => {
    const odd = Object.assign(Readable.from([]), { headers: {}, url: 'http://[::1' });
    await expect(
      readIncomingMessage(odd, { publicOrigin: 'https://hooks.example.com' }),
    ).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_HEADER_MALFORMED',
    });
    await expect(
      readIncomingMessage(incoming([], {}), { publicOrigin: 'not a url' }),
    ).rejects.toThrow(TypeError);
  });
});

describe.each(BACKENDS)('the Twilio URL keeps the configured origin (%s)', (crypto) => {
  const form = 'Body=hi&From=%2B15550001';
  const origin = 'https://hooks.example.com';
  const verifier = createVerifier({ scheme: schemes.twilio, secrets: 'tok', crypto });
  /** A request Twilio really signed, for ANOTHER service on the same account. */
  const vendorSigned = () =>
    createSigner({ scheme: schemes.twilio, secrets: 'tok', crypto }).sign({
      body: form,
      url: 'https://vendor.example/sms',
    });

  it.each([
    '//vendor.example/sms',
    '/\\vendor.example/sms',
    '/\\/vendor.example/sms',
    '/\t/vendor.example/sms',
    '/sms\\x',
  ])('readIncomingMessage refuses the path %j instead of moving to another host', async (path) => {
    const headers = await vendorSigned();
    const req = Object.assign(Readable.from([Buffer.from(form)]), { headers, url: path });
    await expect(readIncomingMessage(req, { publicOrigin: origin })).rejects.toMatchObject({
      name: 'WebhookError',
      code: 'ERR_WEBHOOK_HEADER_MALFORMED',
      header: ':path',
      status: 400,
    });
  });

  it('the host-swap path never verifies a signature made for another host', async () => {
    const headers = await vendorSigned();
    // Before the fix, '//vendor.example/sms' became 'https://vendor.example/sms' and verified.
    const req = Object.assign(Readable.from([Buffer.from(form)]), {
      headers,
      url: '//vendor.example/sms',
    });
    const outcome = await readIncomingMessage(req, { publicOrigin: origin }).then(
      (input) => verifier.verify(input),
      (error: unknown) => error,
    );
    expect(outcome).toMatchObject({ code: 'ERR_WEBHOOK_HEADER_MALFORMED' });
  });

  it('readRequest takes publicOrigin: the URL comes from configuration, not the Host header', async () => {
    const headers = await createSigner({ scheme: schemes.twilio, secrets: 'tok', crypto }).sign({
      body: form,
      url: `${origin}/sms?x=1`,
    });
    // The adapter built request.url from a Host header the client chose.
    const request = new Request('http://attacker.example:8080/sms?x=1', {
      method: 'POST',
      headers,
      body: form,
    });
    const input = await readRequest(request, { publicOrigin: origin });
    expect(input.url).toBe(`${origin}/sms?x=1`);
    await expect(verifier.verify(input)).resolves.toMatchObject({ scheme: 'twilio' });
    // Without publicOrigin the URL is request.url, as before.
    const plain = new Request(`${origin}/sms`, { method: 'POST', body: form });
    expect((await readRequest(plain)).url).toBe(`${origin}/sms`);
  });

  it('readRequest with publicOrigin refuses a path that would move to another host', async () => {
    const headers = await vendorSigned();
    for (const url of ['http://h//vendor.example/sms', 'http://h/\\vendor.example/sms']) {
      const request = new Request(url, { method: 'POST', headers, body: form });
      await expect(readRequest(request, { publicOrigin: origin })).rejects.toMatchObject({
        code: 'ERR_WEBHOOK_HEADER_MALFORMED',
        header: ':path',
      });
    }
    await expect(
      readRequest(new Request('http://h/', { method: 'POST' }), { publicOrigin: 'nope' }),
    ).rejects.toThrow(TypeError);
  });

  /** A Request as Node adapters build it: `http://${Host}${req.url}`, with the Host header kept. */
  const adapterRequest = (host: string, target: string, headers: Record<string, string>) =>
    new Request(`http://${host}${target}`, {
      method: 'POST',
      headers: { ...headers, host },
      body: form,
    });

  it('readRequest refuses a Host that smuggles another path in as a fragment', async () => {
    // Twilio genuinely signed /other-hook (another route of this service); sent to /hook-b.
    const headers = await createSigner({ scheme: schemes.twilio, secrets: 'tok', crypto }).sign({
      body: form,
      url: `${origin}/other-hook`,
    });
    const request = adapterRequest('hooks.example.com/other-hook#', '/hook-b', headers);
    expect(new URL(request.url).pathname).toBe('/other-hook');
    const outcome = await readRequest(request, { publicOrigin: origin }).then(
      (input) => verifier.verify(input),
      (error: unknown) => error,
    );
    expect(outcome).toMatchObject({ code: 'ERR_WEBHOOK_HEADER_MALFORMED', status: 400 });
    // The same URL with the Host header gone: the fragment alone is refused.
    const bare = new Request(request.url, { method: 'POST', headers, body: form });
    await expect(readRequest(bare, { publicOrigin: origin })).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_HEADER_MALFORMED',
      header: ':path',
    });
  });

  it.each([
    ['hooks.example.com/other-hook#', 'host'],
    ['hooks.example.com/other-hook?', 'host'],
    ['hooks.example.com/x', 'host'],
    ['hooks.example.com\\x', 'host'],
    ['hooks.example.com?x', 'host'],
    ['hooks.example.com#', 'host'],
    ['', 'host'],
    ['bücher.example', 'host'],
    ['hooks.example.com:8080/x', 'host'],
  ])('readRequest refuses the Host %j (not a plain host[:port])', async (host, header) => {
    const request = adapterRequest(host, '/hook-b', await vendorSigned());
    const error = await readRequest(request, { publicOrigin: origin }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'WebhookError', code: 'ERR_WEBHOOK_HEADER_MALFORMED' });
    expect([header, ':path']).toContain((error as { header: string }).header);
  });

  it.each(['http://h/hook-b#', 'http://h/hook-b#x', 'http://h/other-hook#/hook-b'])(
    'readRequest refuses the crafted URL %j (a fragment)',
    async (url) => {
      const request = new Request(url, {
        method: 'POST',
        headers: await vendorSigned(),
        body: form,
      });
      await expect(readRequest(request, { publicOrigin: origin })).rejects.toMatchObject({
        code: 'ERR_WEBHOOK_HEADER_MALFORMED',
        header: ':path',
      });
    },
  );

  it.each(['http://u@h/hook-b', 'http://u:p@h/hook-b'])(
    'readRequest refuses a Request-like URL with user info: %j',
    async (url) => {
      // undici's Request refuses credentials itself; another implementation might not.
      const request = {
        url,
        headers: new Headers(await vendorSigned()),
        body: null,
        bodyUsed: false,
        arrayBuffer: async () => new ArrayBuffer(0),
      } as unknown as Request;
      await expect(readRequest(request, { publicOrigin: origin })).rejects.toMatchObject({
        code: 'ERR_WEBHOOK_HEADER_MALFORMED',
        header: ':path',
      });
    },
  );

  it('readRequest refuses an X-Forwarded-Host that is not plain host[:port]', async () => {
    const headers = { ...(await vendorSigned()), 'x-forwarded-host': 'a.example, h/x#' };
    const request = adapterRequest('hooks.example.com', '/hook-b', headers);
    await expect(readRequest(request, { publicOrigin: origin })).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_HEADER_MALFORMED',
      header: 'x-forwarded-host',
    });
  });

  it.each(['', ' ', ', hooks.example.com', ' ,a.example'])(
    'readRequest refuses the X-Forwarded-Host %j (no first host)',
    async (value) => {
      const headers = { ...(await vendorSigned()), 'x-forwarded-host': value };
      const request = adapterRequest('hooks.example.com', '/hook-b', headers);
      await expect(readRequest(request, { publicOrigin: origin })).rejects.toMatchObject({
        code: 'ERR_WEBHOOK_HEADER_MALFORMED',
        header: 'x-forwarded-host',
      });
    },
  );

  it.each(['hooks.example.com,', 'a.example,, b.example:8443', 'a.example, '])(
    'readRequest skips the empty items of the X-Forwarded-Host %j',
    async (value) => {
      const headers = await createSigner({ scheme: schemes.twilio, secrets: 'tok', crypto }).sign({
        body: form,
        url: `${origin}/hook-b`,
      });
      const request = adapterRequest('hooks.example.com', '/hook-b', {
        ...headers,
        'x-forwarded-host': value,
      });
      const input = await readRequest(request, { publicOrigin: origin });
      expect(input.url).toBe(`${origin}/hook-b`);
      const fresh = createVerifier({
        scheme: schemes.twilio,
        secrets: 'tok',
        crypto,
        store: false,
      });
      await expect(fresh.verify(input)).resolves.toMatchObject({ scheme: 'twilio' });
    },
  );

  it.each([
    'hooks.example.com',
    'hooks.example.com:8443',
    '127.0.0.1:3000',
    '[::1]:3000',
    'Hooks.Example.COM.',
    'hooks.example.com:',
    'xn--bcher-kva.example',
  ])('readRequest accepts the plain Host %j and verifies the configured URL', async (host) => {
    const headers = await createSigner({ scheme: schemes.twilio, secrets: 'tok', crypto }).sign({
      body: form,
      url: `${origin}/hook-b?x=1`,
    });
    const request = adapterRequest(host, '/hook-b?x=1', {
      ...headers,
      'x-forwarded-host': 'hooks.example.com, proxy.internal:8080',
    });
    const input = await readRequest(request, { publicOrigin: origin });
    expect(input.url).toBe(`${origin}/hook-b?x=1`);
    const fresh = createVerifier({ scheme: schemes.twilio, secrets: 'tok', crypto, store: false });
    await expect(fresh.verify(input)).resolves.toMatchObject({ scheme: 'twilio' });
  });

  it('readIncomingMessage uses the request target, never Host, and refuses a "#" in it', async () => {
    const headers = await createSigner({ scheme: schemes.twilio, secrets: 'tok', crypto }).sign({
      body: form,
      url: `${origin}/hook-b`,
    });
    const req = (url: string, host: string) =>
      Object.assign(Readable.from([Buffer.from(form)]), {
        headers: { ...headers, host },
        url,
      });
    const input = await readIncomingMessage(req('/hook-b', 'hooks.example.com/other-hook#'), {
      publicOrigin: origin,
    });
    expect(input.url).toBe(`${origin}/hook-b`);
    await expect(verifier.verify(input)).resolves.toMatchObject({ scheme: 'twilio' });
    for (const url of ['/other-hook#/hook-b', '/hook-b#', 'http://vendor.example/sms']) {
      await expect(
        readIncomingMessage(req(url, 'hooks.example.com'), { publicOrigin: origin }),
      ).rejects.toMatchObject({ code: 'ERR_WEBHOOK_HEADER_MALFORMED', header: ':path' });
    }
  });
});
