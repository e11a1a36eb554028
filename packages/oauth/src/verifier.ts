// `@portcullis/oauth/verifier`: the inbound access-token verifier alone. It loads jose and
// oauth4webapi (for issuer discovery), never openid-client or the token provider, so a resource
// server (or an edge function) that only verifies tokens carries none of the client code.
export {
  AccessTokenError,
  type AccessTokenErrorCode,
  isAccessTokenError,
} from './errors/AccessTokenError.ts';
export {
  isOAuthError,
  OAuthError,
  type OAuthErrorCode,
  type OAuthErrorOptions,
} from './errors/OAuthError.ts';
export { DEFAULTS, type OAuthDefaults, type VerifierDefaults } from './options/DEFAULTS.ts';
export type {
  AccessTokenClaims,
  AccessTokenVerifier,
  AccessTokenVerifierOptions,
} from './verifier/AccessTokenVerifierOptions.ts';
export { createAccessTokenVerifier } from './verifier/createAccessTokenVerifier.ts';
