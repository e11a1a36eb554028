/** Thrown when keys are needed, the endpoint cannot be reached and no usable last-good set exists. */
export class JwksUnavailable extends Error {
  constructor(cause: unknown) {
    super('The JWKS endpoint cannot be reached and no recent key set is held.', { cause });
  }
}
