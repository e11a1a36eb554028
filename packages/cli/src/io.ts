import { lookup } from 'node:dns/promises';

/** One address a host name resolved to. */
export interface ResolvedHostAddress {
  /** The IP address as the resolver wrote it. */
  readonly address: string;
  /** `4` or `6`. */
  readonly family: number;
}

/**
 * What the commands read from the process, injectable so they run in tests without one: the
 * environment (for `--secret-env`), stdin, the DNS resolver (`ssrf check`) and the clock.
 */
export interface CliIo {
  /** The environment variables. Default: `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Reads all of stdin. Default: the process's stdin. Given `maxBytes`, it may stop once it has
   * more than that (the caller refuses such an input).
   */
  readStdin(maxBytes?: number): Promise<Uint8Array>;
  /** Resolves a host name to every address. Default: `dns.lookup(host, { all: true })`. */
  resolve(hostname: string): Promise<readonly ResolvedHostAddress[]>;
  /** Milliseconds since the epoch. Default: `Date.now()`. */
  now(): number;
}

async function readAll(
  stream: AsyncIterable<Uint8Array | string>,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    chunks.push(bytes);
    total += bytes.length;
    if (total > maxBytes) break; // more than the caller takes: it refuses the input
  }
  return Buffer.concat(chunks);
}

/**
 * The {@link CliIo} of the running process.
 *
 * @example
 * ```ts
 * import { nodeIo, run } from '@portcullis/cli';
 * const result = await run(['secret', 'generate', '--json'], nodeIo());
 * ```
 */
export function nodeIo(): CliIo {
  return {
    env: process.env,
    readStdin: (maxBytes) => readAll(process.stdin, maxBytes),
    resolve: async (hostname) => await lookup(hostname, { all: true, verbatim: true }),
    now: () => Date.now(),
  };
}
