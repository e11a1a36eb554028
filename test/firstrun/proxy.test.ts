// The first run behind a TLS-intercepting proxy (issue 13, "First run"): scripts/npm-install-tool.sh
// (what env.sh and oldest-node.sh run to fetch Node and pnpm) against the real npm registry through
// a CONNECT proxy on 127.0.0.1 that re-signs TLS with a throwaway CA. The proxy and the CA live only
// in the *system* npmrc (PREFIX/etc/npmrc, the file `npm install --prefix` used to stop reading):
// with the CA the install goes through the proxy; without it, it fails in seconds naming the cause.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InterceptingProxy, startInterceptingProxy } from '../harness/interceptingProxy.ts';
import { freePort } from '../harness/ports.ts';

const root = join(import.meta.dirname, '../..');
const REGISTRY = 'https://registry.npmjs.org/';
const PACKAGE = 'is-number@7.0.0'; // 1 file, no dependencies
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this looks for
const ANSI = /\u001b\[/;

async function registryReachable(): Promise<boolean> {
  try {
    const response = await fetch(`${REGISTRY}-/ping`, { signal: AbortSignal.timeout(5000) });
    return response.ok;
  } catch {
    return false;
  }
}

interface Run {
  status: number | null;
  output: string;
  ms: number;
}

/** Runs bash with the given env, bounded; stdout and stderr interleaved. */
function bash(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 90_000,
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script, 'bash', ...args], { cwd: root, env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output, ms: Date.now() - started });
    });
  });
}

/** The environment a newcomer's shell has: no npm_config_* or proxy variables from our runner. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_|^pnpm_|proxy$/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', ...extra };
}

const INSTALL = 'source scripts/npm-install-tool.sh && install_tool "$1" "$2"';

const reachable = await registryReachable();
const title = reachable
  ? 'bootstrap behind a TLS-intercepting proxy'
  : `bootstrap behind a TLS-intercepting proxy (skipped: ${REGISTRY} is unreachable from this machine)`;

describe.skipIf(!reachable)(title, () => {
  let proxy: InterceptingProxy;
  let dir: string;
  let hang: Server;
  let hangPort: number;

  /** A "machine": a system npmrc at PREFIX/etc/npmrc, an empty user npmrc, an empty cache. */
  function machine(name: string, npmrc: string): NodeJS.ProcessEnv {
    const base = join(dir, name);
    mkdirSync(join(base, 'sys/etc'), { recursive: true });
    writeFileSync(join(base, 'sys/etc/npmrc'), npmrc);
    writeFileSync(join(base, 'user.npmrc'), '');
    return cleanEnv({
      PREFIX: join(base, 'sys'),
      npm_config_userconfig: join(base, 'user.npmrc'),
      npm_config_cache: join(base, 'cache'),
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-firstrun-'));
    proxy = await startInterceptingProxy();
    writeFileSync(join(dir, 'proxy-ca.pem'), proxy.ca);
    hang = createServer(() => {}); // accepts, never answers
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    hangPort = (hang.address() as { port: number }).port;
  });
  afterAll(async () => {
    await proxy?.close();
    hang?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs through the proxy when the system npmrc names its CA, with plain progress lines', async () => {
    const env = machine(
      'trusted',
      `registry=${REGISTRY}\nproxy=${proxy.url}\nhttps-proxy=${proxy.url}\ncafile=${join(dir, 'proxy-ca.pem')}\n`,
    );
    const target = join(dir, 'trusted/tools');
    const run = await bash(INSTALL, [target, PACKAGE], env);

    expect(run.output).not.toMatch(/cannot reach/);
    expect(run.status).toBe(0);
    const installed = JSON.parse(
      readFileSync(join(target, 'node_modules/is-number/package.json'), 'utf8'),
    );
    expect(installed.version).toBe('7.0.0');
    expect(proxy.connects).toContain('registry.npmjs.org:443');
    // The install itself (not only the ping) went through the proxy: metadata and tarball.
    expect(proxy.requests).toContain('GET registry.npmjs.org/-/ping');
    expect(proxy.requests).toContain('GET registry.npmjs.org/is-number');
    expect(proxy.requests).toContain('GET registry.npmjs.org/is-number/-/is-number-7.0.0.tgz');
    // Progress: one line per step, nothing unexplained, no colours, no npm chatter.
    expect(run.output).toMatch(/checking the npm registry/);
    expect(run.output).toMatch(/downloading is-number@7\.0\.0/);
    expect(run.output).toMatch(/installed is-number@7\.0\.0 in \d+ s/);
    expect(run.output).not.toMatch(ANSI);
    expect(run.output).not.toMatch(/added \d+ package|npm (notice|warn)|funding/);
    for (const line of run.output.trim().split('\n')) expect(line).toMatch(/^portcullis: /);
  });

  it('fails fast, naming the untrusted certificate, when the CA is not configured', async () => {
    const env = machine(
      'untrusted',
      `registry=${REGISTRY}\nproxy=${proxy.url}\nhttps-proxy=${proxy.url}\n`,
    );
    const target = join(dir, 'untrusted/tools');
    const seen = proxy.connects.length;
    const run = await bash(INSTALL, [target, PACKAGE], env);

    expect(run.status).toBe(1);
    expect(run.ms).toBeLessThan(15_000);
    expect(proxy.connects.length).toBeGreaterThan(seen); // it did go through the proxy
    expect(run.output).toMatch(
      /cannot reach the npm registry \(https:\/\/registry\.npmjs\.org\/\)/,
    );
    expect(run.output).toMatch(/SELF_SIGNED_CERT_IN_CHAIN/);
    expect(run.output).toMatch(/TLS-intercepting proxy.*cafile=/);
    expect(run.output).not.toMatch(ANSI);
    expect(existsSync(join(target, 'node_modules/is-number'))).toBe(false);
  });

  it('fails fast when nothing listens at the registry address', async () => {
    const port = await freePort();
    const env = machine('refused', `registry=http://127.0.0.1:${port}/\n`);
    const run = await bash(INSTALL, [join(dir, 'refused/tools'), PACKAGE], env);

    expect(run.status).toBe(1);
    expect(run.ms).toBeLessThan(10_000);
    expect(run.output).toMatch(/cannot reach the npm registry \(http:\/\/127\.0\.0\.1:\d+\/\)/);
    expect(run.output).toMatch(/ECONNREFUSED/);
    expect(run.output).toMatch(/check the network/);
  });

  it('gives up on a registry that accepts and never answers after the ping timeout', async () => {
    const env = {
      ...machine('hung', `registry=http://127.0.0.1:${hangPort}/\n`),
      PORTCULLIS_REGISTRY_TIMEOUT_MS: '1500',
    };
    const run = await bash(INSTALL, [join(dir, 'hung/tools'), PACKAGE], env);

    expect(run.status).toBe(1);
    expect(run.ms).toBeLessThan(10_000);
    expect(run.output).toMatch(/cannot reach the npm registry .* within 1 s/);
  });
});
