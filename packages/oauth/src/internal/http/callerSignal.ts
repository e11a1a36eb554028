import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The caller's `AbortSignal` for requests openid-client makes on its behalf (a DPoP-protected
 * resource request): openid-client takes no per-call signal, so the configuration's `fetch`
 * ({@link signalAwareFetch}) reads it from here and combines it with openid-client's own timeout.
 */
const callerSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `operation` with `signal` as the caller's signal of every `signalAwareFetch` call it makes. */
export function withCallerSignal<T>(
  signal: AbortSignal | undefined,
  operation: () => Promise<T>,
): Promise<T> {
  return signal === undefined ? operation() : callerSignal.run(signal, operation);
}

/** A `fetch` for openid-client that also aborts on the caller's signal, when there is one. */
export function signalAwareFetch(
  base: () => typeof fetch,
): (url: string, init: RequestInit) => Promise<Response> {
  return (url, init) => {
    const caller = callerSignal.getStore();
    if (caller === undefined) return base()(url, init);
    const signal = init.signal ? AbortSignal.any([init.signal, caller]) : caller;
    return base()(url, { ...init, signal });
  };
}

/**
 * `promise`, or a rejection with `signal.reason` as soon as `signal` aborts (at once if it
 * already has). What `promise` settles with afterwards is ignored.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) {
      promise.catch(() => {});
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
