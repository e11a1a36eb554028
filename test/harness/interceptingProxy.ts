// A TLS-intercepting HTTP CONNECT proxy on 127.0.0.1, as corporate networks run them: it answers
// CONNECT, terminates the client's TLS with a certificate for the requested host issued on the
// fly by a throwaway CA made here (in memory, ECDSA P-256), and opens its own TLS connection to
// the real host (verified against Node's default CAs), copying bytes both ways. A client trusts it
// only if it trusts the CA: exactly what `cafile=` in an npmrc is for.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  createSecureContext,
  type SecureContext,
  TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A running intercepting proxy. */
export interface InterceptingProxy {
  /** `http://127.0.0.1:<port>`: the value for npm's `proxy` and `https-proxy`. */
  readonly url: string;
  /** The CA certificate (PEM) every intercepted host's certificate is issued by. */
  readonly ca: string;
  /** The `host:port` of every CONNECT seen, in order. */
  readonly connects: string[];
  /** `METHOD host/path` of every request read inside the intercepted TLS, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

type Keys = CryptoKeyPair;

function generateKeys(): Promise<Keys> {
  return webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as Promise<Keys>;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 60_000), notAfter: new Date(now + 24 * 3600_000) };
}

async function makeCa(): Promise<{ cert: x509.X509Certificate; keys: Keys }> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Portcullis Test Intercepting Proxy CA',
    keys,
    signingAlgorithm: EC,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

async function issueFor(
  host: string,
  ca: { cert: x509.X509Certificate; keys: Keys },
): Promise<SecureContext> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${host}`,
    issuer: ca.cert.subject,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: EC,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }]),
    ],
  });
  // The chain a real intercepting proxy sends: its leaf and its (untrusted by default) root.
  return createSecureContext({
    cert: `${cert.toString('pem')}\n${ca.cert.toString('pem')}`,
    key: await keyPem(keys.privateKey),
  });
}

/** Starts the proxy on a free loopback port. */
export async function startInterceptingProxy(): Promise<InterceptingProxy> {
  const ca = await makeCa();
  const contexts = new Map<string, Promise<SecureContext>>();
  const connects: string[] = [];
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    res.writeHead(405, { connection: 'close' }).end('CONNECT only\n');
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('connect', (req, clientSocket: Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    const [host = '', portText = '443'] = target.split(':');
    clientSocket.on('error', () => clientSocket.destroy());
    let context = contexts.get(host);
    if (context === undefined) {
      context = issueFor(host, ca);
      contexts.set(host, context);
    }
    context.then(
      (secureContext) => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) clientSocket.unshift(head);
        const inner = new TLSSocket(clientSocket, { isServer: true, secureContext });
        const upstream = tlsConnect({ host, port: Number(portText), servername: host });
        const end = (): void => {
          inner.destroy();
          upstream.destroy();
        };
        inner.on('data', (chunk: Buffer) => {
          // Request lines only (the proxy sees the plaintext): what went through it, for tests.
          for (const match of chunk.toString('latin1').matchAll(/^([A-Z]+) (\S+) HTTP\/1\.1\r$/gm))
            requests.push(`${match[1]} ${host}${match[2]}`);
        });
        inner.on('error', end);
        upstream.on('error', end);
        inner.pipe(upstream).pipe(inner);
      },
      () => clientSocket.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ca: ca.cert.toString('pem'),
    connects,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
