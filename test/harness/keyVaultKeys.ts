// The keys API of the loopback Key Vault (test/harness/keyVault.ts routes `/keys/...` here): RSA
// keys with versions, create, get, enable/disable (PATCH), wrapKey / unwrapKey with RSA-OAEP and
// RSA-OAEP-256, in the service's REST shapes. Like the service it refuses operations on a
// disabled version (403), an unknown key (404 KeyNotFound), an algorithm it does not support and
// a ciphertext that does not decrypt (400 BadParameter).
import {
  constants,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomUUID,
} from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

interface KeyVersion {
  id: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  enabled: boolean;
  created: number;
  updated: number;
}

type Fail = (res: ServerResponse, status: number, code: string, message: string) => void;
type Send = (res: ServerResponse, status: number, body: unknown) => void;

const ALGS: Record<string, string> = { 'RSA-OAEP': 'sha1', 'RSA-OAEP-256': 'sha256' };
const OPS = ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'];
const NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** The keys part of the loopback vault: state and a request handler. */
export interface VaultKeys {
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    parts: string[],
    parsed: Record<string, unknown>,
  ): void;
  /** Versions of a key, oldest first (arranging and asserting in tests). */
  versions(name: string): readonly { id: string; enabled: boolean }[];
  /** Operations performed (`wrapkey`, `unwrapkey`, `create`, `get`), for call counts. */
  readonly operations: readonly string[];
}

export function createVaultKeys(base: () => string, send: Send, fail: Fail): VaultKeys {
  const keys = new Map<string, KeyVersion[]>();
  const operations: string[] = [];
  const nowSec = () => Math.floor(Date.now() / 1000);

  const bundle = (name: string, v: KeyVersion) => {
    const jwk = v.publicKey.export({ format: 'jwk' });
    return {
      key: { kid: `${base()}/keys/${name}/${v.id}`, kty: 'RSA', key_ops: OPS, n: jwk.n, e: jwk.e },
      attributes: {
        enabled: v.enabled,
        created: v.created,
        updated: v.updated,
        recoveryLevel: 'Recoverable+Purgeable',
        recoverableDays: 90,
      },
    };
  };

  const handle: VaultKeys['handle'] = (req, res, parts, parsed) => {
    const name = parts[1];
    if (name === undefined || !NAME.test(name))
      return fail(res, 400, 'BadParameter', 'The key name is invalid.');
    if (req.method === 'POST' && parts[2] === 'create' && parts.length === 3) {
      const kty = parsed.kty;
      if (kty !== 'RSA' && kty !== 'RSA-HSM')
        return fail(res, 400, 'BadParameter', 'Only RSA keys are supported here.');
      const size = typeof parsed.key_size === 'number' ? parsed.key_size : 2048;
      if (![2048, 3072, 4096].includes(size))
        return fail(res, 400, 'BadParameter', 'Invalid key size.');
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: size });
      const at = nowSec();
      const version: KeyVersion = {
        id: randomUUID().replaceAll('-', ''),
        privateKey,
        publicKey,
        enabled: true,
        created: at,
        updated: at,
      };
      keys.set(name, [...(keys.get(name) ?? []), version]);
      operations.push('create');
      return send(res, 200, bundle(name, version));
    }
    const versions = keys.get(name);
    if (versions === undefined || versions.length === 0)
      return fail(
        res,
        404,
        'KeyNotFound',
        `A key with (name/id) ${name} was not found in this key vault.`,
      );
    const versionId = parts[2] ?? '';
    const version =
      versionId === '' ? versions[versions.length - 1] : versions.find((v) => v.id === versionId);
    if (version === undefined)
      return fail(
        res,
        404,
        'KeyNotFound',
        `A key with (name/id) ${name}/${versionId} was not found in this key vault.`,
      );
    if (req.method === 'GET' && parts.length <= 3) {
      operations.push('get');
      return send(res, 200, bundle(name, version));
    }
    if (req.method === 'PATCH' && parts.length === 3) {
      const attributes = (parsed.attributes ?? {}) as { enabled?: boolean };
      if (typeof attributes.enabled === 'boolean') version.enabled = attributes.enabled;
      version.updated = nowSec();
      return send(res, 200, bundle(name, version));
    }
    const op = parts[3];
    if (req.method === 'POST' && parts.length === 4 && (op === 'wrapkey' || op === 'unwrapkey')) {
      if (!version.enabled)
        return fail(res, 403, 'Forbidden', `Operation ${op} is not allowed on a disabled key.`);
      const hash = ALGS[String(parsed.alg)];
      if (hash === undefined)
        return fail(res, 400, 'BadParameter', 'The algorithm is not supported.');
      if (typeof parsed.value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(parsed.value))
        return fail(res, 400, 'BadParameter', 'Property value is required (base64url).');
      const input = Buffer.from(parsed.value, 'base64url');
      const options = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash };
      let out: Buffer;
      try {
        out =
          op === 'wrapkey'
            ? publicEncrypt({ key: version.publicKey, ...options }, input)
            : privateDecrypt({ key: version.privateKey, ...options }, input);
      } catch {
        return fail(res, 400, 'BadParameter', 'The parameter is incorrect.');
      }
      operations.push(op);
      return send(res, 200, {
        kid: `${base()}/keys/${name}/${version.id}`,
        value: out.toString('base64url'),
      });
    }
    fail(res, 405, 'MethodNotAllowed', 'Method not allowed.');
  };

  return {
    handle,
    versions: (name) => (keys.get(name) ?? []).map((v) => ({ id: v.id, enabled: v.enabled })),
    get operations() {
      return operations;
    },
  };
}
