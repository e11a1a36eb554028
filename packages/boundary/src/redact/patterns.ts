// What `redact` looks for. Key names are compared lower-cased with `-`, `_` and spaces removed,
// so `api_key`, `API-Key` and `apiKey` all match `apikey`.

/** Key names whose values are always replaced (normalised: lower case, no `-`, `_` or space). */
export const SECRET_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'clientsecret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'apikey',
  'xapikey',
  'authorization',
  'proxyauthorization',
  'auth',
  'cookie',
  'setcookie',
  'session',
  'sessionid',
  'privatekey',
  'signingkey',
  'webhooksecret',
  'signature',
  'xhubsignature',
  'xhubsignature256',
  'stripesignature',
  'webhooksignature',
  'awssecretaccesskey',
  'secretaccesskey',
  'awssessiontoken',
  'connectionstring',
  'dsn',
  'otp',
  'pin',
  'cvv',
  'cvc',
  'cardnumber',
  'creditcard',
  'pan',
  'iban',
  'ssn',
  'socialsecuritynumber',
  'taxid',
  'passport',
  'dateofbirth',
  'dob',
  'email',
  'phone',
  'phonenumber',
  'address',
]);

/** Key-name fragments that mark a secret wherever they appear in a key (`stripeSecretKey`). */
export const SECRET_KEY_PARTS: readonly string[] = Object.freeze([
  'password',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'credential',
]);

/** Token shapes replaced inside any string, wherever they appear (a first group, if any, is kept). */
export const TOKEN_PATTERNS: readonly RegExp[] = Object.freeze([
  /\b[Bb]earer\s+[A-Za-z0-9\-._~+/]+=*/g, // RFC 6750 bearer credentials
  /\b[Bb]asic\s+[A-Za-z0-9+/]{8,}=*/g, // HTTP Basic credentials
  /\bwhsec_[A-Za-z0-9+/=]{8,}/g, // Standard Webhooks / Svix / Stripe webhook secrets
  /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, // JWTs (JWS compact)
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}/g, // Stripe keys
  /\bgh[pousr]_[A-Za-z0-9]{36,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,}/g, // GitHub fine-grained tokens
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack tokens
  /\bAIza[A-Za-z0-9_-]{35}/g, // Google API keys
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, // PEM keys
  /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@/]+@/g, // credentials in a URL (user:pass@)
  /([?&](?:access_token|refresh_token|id_token|token|api_key|apikey|key|signature|sig|password|secret|client_secret|code)=)[^&#\s]+/gi, // secrets in a query string (the name is kept)
  /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, // email addresses (personal data)
]);
