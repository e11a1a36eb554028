/** The type of {@link DEFAULTS}. */
export interface CliDefaults {
  /** `webhook *`, `secret generate`: the signature scheme (`--scheme`). */
  readonly scheme: 'standard';
  /** `webhook *` with `--scheme custom`: the scheme's name (`--scheme-name`). */
  readonly schemeName: 'custom';
  /** `token get`: client authentication (`--auth`). */
  readonly auth: 'client_secret_basic';
  /** `ssrf check`: the host allow-list when no `--allow-host` is given. */
  readonly allowHost: '*';
  /** `audit verify` of a directory: every chain in it, unless `--chain`. */
  readonly chain: null;
}

/**
 * Every default of the `portcullis` command's own flags, in one place (the README's defaults
 * table is tested against it; the defaults of the packages it calls are theirs). Frozen.
 *
 * @example
 * ```ts
 * import { DEFAULTS } from '@portcullis/cli';
 * DEFAULTS.scheme; // 'standard'
 * ```
 */
export const DEFAULTS: CliDefaults = Object.freeze({
  scheme: 'standard',
  schemeName: 'custom',
  auth: 'client_secret_basic',
  allowHost: '*',
  chain: null,
});
