// Throwaway X.509 material for mTLS tests, made in memory with Web Crypto and @peculiar/x509:
// no private key is ever written to disk and no `openssl` binary is needed (the same code runs on
// every machine the project's CI may use). ECDSA P-256 keys: fast to make (a few ms each).
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata
// polyfill loaded first (it only adds `Reflect.getMetadata` and friends).
import 'reflect-metadata';
import { createHash, X509Certificate as NodeX509Certificate, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A certificate and its private key, both PEM (in memory only). */
export interface TestCertificate {
  /** The certificate, PEM. */
  cert: string;
  /** The PKCS#8 private key, PEM. Never written to disk. */
  key: string;
  /** The certificate's DER bytes, base64 (standard alphabet): an `x5c` entry. */
  x5c: string;
  /** SHA-256 thumbprint of the DER certificate, base64url (RFC 8705 `cnf['x5t#S256']`). */
  x5tS256: string;
  /** Subject distinguished name as RFC 4514 text, e.g. `CN=svc-mtls`. */
  subject: string;
}

/** A test CA with a server certificate for 127.0.0.1 and a client certificate it issued. */
export interface TestPki {
  /** The CA certificate (PEM): what clients trust for the server and the server for clients. */
  ca: string;
  /** Server certificate for `127.0.0.1` (IP SAN, `serverAuth`), issued by {@link TestPki.ca}. */
  server: TestCertificate;
  /** Client certificate (`CN=<clientSubjectCn>`, `clientAuth`), issued by {@link TestPki.ca}. */
  client: TestCertificate;
  /** A self-signed client certificate (no CA), for `self_signed_tls_client_auth`. */
  selfSigned: TestCertificate;
  /**
   * Issues another client certificate from the same CA (a fresh key), by default with the same
   * subject as {@link TestPki.client}: e.g. one per replica of a fleet. The CA key stays in memory.
   */
  issueClient(subjectCn?: string): Promise<TestCertificate>;
}

export interface MakeTestPkiOptions {
  /** Common name of the CA. Default: `Portcullis Test CA`. */
  caName?: string;
  /** Common name of the CA-issued client certificate. Default: `svc-mtls`. */
  clientSubjectCn?: string;
  /** Common name of the self-signed client certificate. Default: `svc-mtls-self-signed`. */
  selfSignedSubjectCn?: string;
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function describe(cert: x509.X509Certificate, key: CryptoKey): Promise<TestCertificate> {
  const der = Buffer.from(cert.rawData);
  return {
    cert: cert.toString('pem'),
    key: await keyPem(key),
    x5c: der.toString('base64'),
    x5tS256: createHash('sha256').update(der).digest('base64url'),
    subject: new NodeX509Certificate(der).subject,
  };
}

function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 60_000), notAfter: new Date(now + 24 * 3600_000) };
}

/**
 * Makes a fresh CA, a server certificate for 127.0.0.1 and client certificates, all in memory.
 * Call it twice to get a second, unrelated CA (for "server certificate from another CA" tests).
 */
export async function makeTestPki(options: MakeTestPkiOptions = {}): Promise<TestPki> {
  const [caKeys, serverKeys, clientKeys, selfKeys] = await Promise.all([
    generateKeys(),
    generateKeys(),
    generateKeys(),
    generateKeys(),
  ]);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${options.caName ?? 'Portcullis Test CA'}`,
    keys: caKeys,
    signingAlgorithm: EC,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const issue = async (
    subject: string,
    keys: CryptoKeyPair,
    usage: x509.ExtendedKeyUsage,
    san?: x509.JsonGeneralNames,
  ): Promise<x509.X509Certificate> =>
    x509.X509CertificateGenerator.create({
      subject,
      issuer: caCert.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: EC,
      ...validity(),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([usage]),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
        ...(san === undefined ? [] : [new x509.SubjectAlternativeNameExtension(san)]),
      ],
    });
  const serverCert = await issue('CN=127.0.0.1', serverKeys, x509.ExtendedKeyUsage.serverAuth, [
    { type: 'ip', value: '127.0.0.1' },
  ]);
  const clientCn = options.clientSubjectCn ?? 'svc-mtls';
  const clientCert = await issue(`CN=${clientCn}`, clientKeys, x509.ExtendedKeyUsage.clientAuth);
  const selfCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${options.selfSignedSubjectCn ?? 'svc-mtls-self-signed'}`,
    keys: selfKeys,
    signingAlgorithm: EC,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  return {
    ca: caCert.toString('pem'),
    server: await describe(serverCert, serverKeys.privateKey),
    client: await describe(clientCert, clientKeys.privateKey),
    selfSigned: await describe(selfCert, selfKeys.privateKey),
    async issueClient(subjectCn = clientCn) {
      const keys = await generateKeys();
      const cert = await issue(`CN=${subjectCn}`, keys, x509.ExtendedKeyUsage.clientAuth);
      return describe(cert, keys.privateKey);
    },
  };
}
