import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { AAD, type AadPeer } from './aad.ts';
import { createVaultKeys, type VaultKeys } from './keyVaultKeys.ts';
import type { TestPki } from './tls.ts';

/** One stored version, as Key Vault keeps it (times in Unix seconds, like the service). */
export interface StoredVersion {
  id: string;
  value: string;
  contentType?: string | undefined;
  tags?: Record<string, string> | undefined;
  enabled: boolean;
  nbf?: number | undefined;
  exp?: number | undefined;
  created: number;
  updated: number;
}

/** A fault for the next authenticated request(s): the challenge exchange is never faulted. */
export type VaultFault =
  /** Let this request through (to fault a later one). */
  (
    | { kind: 'pass' }
    | { kind: 'throttle'; retryAfterSec?: number }
    | { kind: 'status'; status: number; code: string; message?: string }
    | { kind: 'html'; status: number }
    | { kind: 'reset' }
    | { kind: 'hang' }
  ) & {
    /** Only a request with this method takes the fault (the queue waits for one). Default: any. */
    method?: string;
  };

/**
 * A loopback Azure Key Vault (secrets REST API) over HTTPS with the test CA. Like the service it
 * answers an unauthenticated request with `401` and `WWW-Authenticate: Bearer
 * authorization="<authority>/<tenant>", resource="https://vault.azure.net"` (the SDK's challenge
 * flow), accepts only bearer tokens the loopback AAD issued for the vault's scope, keeps versions
 * with `enabled`/`nbf`/`exp` attributes and tags, refuses to read a disabled version (403), pages
 * version listings with `nextLink`, requires `api-version`, and answers errors in the service's
 * JSON shape (`{ error: { code, message } }`), including `429` throttling with `Retry-After`.
 */
export interface KeyVaultPeer {
  /** `https://127.0.0.1:<port>`: the `vaultUrl`. */
  readonly vaultUrl: string;
  /** Authenticated requests received, and the `METHOD /path` of each. */
  readonly requests: readonly string[];
  /** 401 challenges sent. */
  readonly challenges: number;
  inject(...faults: VaultFault[]): void;
  always(fault: VaultFault): void;
  clear(): void;
  resetCounts(): void;
  /** Adds a version directly (arranging a test); returns its id. */
  seed(name: string, version: Partial<StoredVersion> & { value: string }): string;
  /** The stored versions of `name` (oldest first). */
  versions(name: string): readonly StoredVersion[];
  /** The keys API (`/keys/...`, see keyVaultKeys.ts): its versions and operation log. */
  readonly keys: Pick<VaultKeys, 'versions' | 'operations'>;
  stop(): Promise<void>;
}

const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const PAGE = 25;
const nowSec = (): number => Math.floor(Date.now() / 1000);

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

function fail(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  send(res, status, { error: { code, message } }, headers);
}

export async function startKeyVault(pki: TestPki, aad: AadPeer): Promise<KeyVaultPeer> {
  const store = new Map<string, StoredVersion[]>();
  const queue: VaultFault[] = [];
  let standing: VaultFault | undefined;
  const requests: string[] = [];
  let challenges = 0;
  const sockets = new Set<Socket>();
  let base = '';
  const keys = createVaultKeys(() => base, send, fail);

  const item = (name: string, v: StoredVersion, withValue: boolean) => ({
    ...(withValue ? { value: v.value } : {}),
    id: `${base}/secrets/${name}/${v.id}`,
    ...(v.contentType === undefined ? {} : { contentType: v.contentType }),
    attributes: {
      enabled: v.enabled,
      ...(v.nbf === undefined ? {} : { nbf: v.nbf }),
      ...(v.exp === undefined ? {} : { exp: v.exp }),
      created: v.created,
      updated: v.updated,
      recoveryLevel: 'Recoverable+Purgeable',
      recoverableDays: 90,
    },
    ...(v.tags === undefined ? {} : { tags: v.tags }),
  });

  const seed = (name: string, version: Partial<StoredVersion> & { value: string }): string => {
    const at = nowSec();
    const stored: StoredVersion = {
      id: randomUUID().replaceAll('-', ''),
      enabled: true,
      created: at,
      updated: at,
      ...version,
    };
    store.set(name, [...(store.get(name) ?? []), stored]);
    return stored.id;
  };

  const notFound = (res: ServerResponse, name: string) =>
    fail(
      res,
      404,
      'SecretNotFound',
      `A secret with (name/id) ${name} was not found in this key vault.`,
    );

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', base);
    if (!url.searchParams.get('api-version'))
      return fail(res, 400, 'BadParameter', 'The api-version query parameter is required.');
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'keys') {
      let keyBody: Record<string, unknown> = {};
      try {
        keyBody = body.length > 0 ? (JSON.parse(body) as Record<string, unknown>) : {};
      } catch {
        return fail(res, 400, 'BadParameter', 'The request body is not JSON.');
      }
      return keys.handle(req, res, parts, keyBody);
    }
    if (parts[0] !== 'secrets' || parts.length < 2 || parts.length > 3)
      return fail(res, 404, 'NotFound', 'No such route.');
    const name = parts[1] as string;
    if (!NAME.test(name)) return fail(res, 400, 'BadParameter', 'The secret name is invalid.');
    const versions = store.get(name);
    let parsed: Record<string, unknown> = {};
    if (body.length > 0) {
      try {
        parsed = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return fail(res, 400, 'BadParameter', 'The request body is not JSON.');
      }
    }
    const tags = parsed.tags as Record<string, string> | undefined;
    if (
      tags !== undefined &&
      (Object.keys(tags).length > 15 ||
        Object.entries(tags).some(([k, v]) => k.length > 512 || String(v).length > 256))
    ) {
      return fail(res, 400, 'BadParameter', 'Too many tags, or a tag is too long.');
    }
    if (req.method === 'PUT' && parts.length === 2) {
      if (typeof parsed.value !== 'string')
        return fail(res, 400, 'BadParameter', 'Property value is required.');
      const attributes = (parsed.attributes ?? {}) as {
        enabled?: boolean;
        nbf?: number;
        exp?: number;
      };
      const id = seed(name, {
        value: parsed.value,
        contentType: parsed.contentType as string | undefined,
        tags,
        enabled: attributes.enabled ?? true,
        nbf: attributes.nbf,
        exp: attributes.exp,
      });
      return send(
        res,
        200,
        item(name, store.get(name)?.find((v) => v.id === id) as StoredVersion, true),
      );
    }
    if (versions === undefined || versions.length === 0) return notFound(res, name);
    if (req.method === 'GET' && parts[2] === 'versions') {
      const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
      const size = Math.min(Number(url.searchParams.get('maxresults') ?? PAGE) || PAGE, PAGE);
      const page = versions.slice(skip, skip + size);
      const next =
        skip + size < versions.length
          ? `${base}/secrets/${name}/versions?api-version=${url.searchParams.get('api-version')}&$skiptoken=${skip + size}&maxresults=${size}`
          : null;
      return send(res, 200, { value: page.map((v) => item(name, v, false)), nextLink: next });
    }
    const versionId = parts[2] ?? '';
    const version =
      versionId === '' ? versions[versions.length - 1] : versions.find((v) => v.id === versionId);
    if (version === undefined) return notFound(res, `${name}/${versionId}`);
    if (req.method === 'GET') {
      if (!version.enabled)
        return fail(res, 403, 'Forbidden', 'Operation get is not allowed on a disabled secret.');
      return send(res, 200, item(name, version, true));
    }
    if (req.method === 'PATCH') {
      const attributes = (parsed.attributes ?? {}) as {
        enabled?: boolean;
        nbf?: number;
        exp?: number;
      };
      if (tags !== undefined) version.tags = { ...tags };
      if (attributes.enabled !== undefined) version.enabled = attributes.enabled;
      if (attributes.nbf !== undefined) version.nbf = attributes.nbf;
      if (attributes.exp !== undefined) version.exp = attributes.exp;
      if (typeof parsed.contentType === 'string') version.contentType = parsed.contentType;
      version.updated = nowSec();
      return send(res, 200, item(name, version, false));
    }
    fail(res, 405, 'MethodNotAllowed', 'Method not allowed.');
  };

  const server: Server = createServer(
    { cert: pki.server.cert, key: pki.server.key },
    (req, res) => {
      const auth = req.headers.authorization ?? '';
      const token = /^Bearer (\S+)$/.exec(auth)?.[1];
      if (token === undefined || !aad.accepts(token, AAD.scope)) {
        challenges++;
        req.resume();
        return fail(
          res,
          401,
          'Unauthorized',
          'AKV10000: Request is missing a Bearer or PoP token.',
          {
            'www-authenticate': `Bearer authorization="${aad.authorityHost}/${AAD.tenantId}", resource="https://vault.azure.net"`,
          },
        );
      }
      requests.push(`${req.method} ${new URL(req.url ?? '/', base).pathname}`);
      const head = queue[0];
      const fault =
        head !== undefined && (head.method === undefined || head.method === req.method)
          ? queue.shift()
          : head === undefined
            ? standing
            : undefined;
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        if (fault === undefined || fault.kind === 'pass') return handle(req, res, body);
        if (fault.kind === 'hang') return;
        if (fault.kind === 'reset') return req.socket.destroy();
        if (fault.kind === 'throttle') {
          return fail(
            res,
            429,
            'Throttled',
            'Request was not processed because too many requests were received.',
            fault.retryAfterSec === undefined ? {} : { 'retry-after': String(fault.retryAfterSec) },
          );
        }
        if (fault.kind === 'html') {
          res.writeHead(fault.status, { 'content-type': 'text/html' });
          return res.end('<html><body>Bad Gateway</body></html>');
        }
        fail(res, fault.status, fault.code, fault.message ?? fault.code);
      });
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('harness: no vault port');
  base = `https://127.0.0.1:${address.port}`;
  return {
    vaultUrl: base,
    get requests() {
      return requests;
    },
    get challenges() {
      return challenges;
    },
    inject(...faults) {
      queue.push(...faults);
    },
    always(fault) {
      standing = fault;
    },
    clear() {
      queue.length = 0;
      standing = undefined;
    },
    resetCounts() {
      requests.length = 0;
      challenges = 0;
    },
    seed,
    versions(name) {
      return store.get(name) ?? [];
    },
    keys,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
