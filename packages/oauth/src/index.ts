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
export {
  DEFAULTS,
  type FleetDefaults,
  type OAuthDefaults,
  type RefreshDefaults,
  type VerifierDefaults,
} from './options/DEFAULTS.ts';
export type { AccessToken } from './token/AccessToken.ts';
export {
  createTokenProvider,
  type TokenHandle,
  type TokenProvider,
} from './token/createTokenProvider.ts';
export type {
  CertificateInput,
  ClientAuthOption,
  FleetOptions,
  GetTokenOptions,
  PrivateKeyInput,
  RefreshPolicy,
  SecretInput,
  TokenParameters,
  TokenProviderOptions,
} from './token/TokenProviderOptions.ts';
export type {
  AccessTokenClaims,
  AccessTokenVerifier,
  AccessTokenVerifierOptions,
} from './verifier/AccessTokenVerifierOptions.ts';
export { createAccessTokenVerifier } from './verifier/createAccessTokenVerifier.ts';
