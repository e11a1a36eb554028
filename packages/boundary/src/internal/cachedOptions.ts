// Options of the per-value functions (sanitisers, redact) are resolved once per options object:
// a caller that passes the same object on every call pays for validation once.

/** Wraps a resolver so each options object (by identity) is resolved once; `undefined` once too. */
export function cachedResolver<I extends object, R>(
  resolve: (input: I | undefined) => R,
): (input: I | undefined) => R {
  const cache = new WeakMap<I, R>();
  let defaults: R | undefined;
  return (input) => {
    if (input === undefined) {
      defaults ??= resolve(undefined);
      return defaults;
    }
    if (typeof input !== 'object' || input === null) return resolve(input);
    let resolved = cache.get(input);
    if (resolved === undefined) {
      resolved = resolve(input);
      cache.set(input, resolved);
    }
    return resolved;
  };
}
