import { EgressError } from '../errors/EgressError.ts';
import { withHop } from './checkUrl.ts';

const TIMEOUTS = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const TLS =
  /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL_)/;

/** The innermost `cause` chain of undici's `TypeError('fetch failed')`. */
function causes(error: unknown): unknown[] {
  const out: unknown[] = [];
  let e: unknown = error;
  for (let i = 0; i < 5 && e !== undefined && e !== null; i++) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

/**
 * Maps what undici's `fetch` threw to what egress throws: our own refusals (from the connector)
 * come out as they are, timeouts, TLS and network failures become typed {@link EgressError}s with
 * the original kept as `cause`; an abort (the caller's signal) is rethrown untouched.
 */
export function mapNetworkError(error: unknown, host: string, hop: number): unknown {
  if (!(error instanceof TypeError)) return withHop(error, hop);
  const chain = causes(error);
  const ours = chain.find((e) => e instanceof EgressError);
  if (ours !== undefined) return withHop(ours, hop);
  // fetch's own list of blocked ports (22, 25, 6000, …): refused before any socket.
  if (chain.some((e) => (e as { message?: unknown }).message === 'bad port')) {
    return new EgressError(
      'ERR_EGRESS_HOST_NOT_ALLOWED',
      `The port of "${host}" is blocked by fetch.`,
      {
        host,
        hop,
      },
    );
  }
  const codes = chain.map((e) => String((e as { code?: unknown }).code ?? ''));
  if (codes.some((c) => TIMEOUTS.has(c))) {
    return new EgressError('ERR_EGRESS_TIMEOUT', `"${host}" did not answer in time.`, {
      host,
      hop,
      cause: error,
    });
  }
  // A server that drops the handshake (e.g. it refused the client certificate under TLS 1.2).
  const midHandshake = chain.some((e) =>
    String((e as { message?: unknown }).message).includes('before secure TLS connection'),
  );
  if (midHandshake || codes.some((c) => TLS.test(c))) {
    return new EgressError('ERR_EGRESS_TLS_FAILED', `The TLS handshake with "${host}" failed.`, {
      host,
      hop,
      cause: error,
    });
  }
  return new EgressError('ERR_EGRESS_NETWORK', `The connection to "${host}" failed.`, {
    host,
    hop,
    cause: error,
  });
}
