import { invalidArgument } from '@portcullis/core';
import type { TokenParameters } from '../../token/TokenProviderOptions.ts';

/** {@link TokenParameters} in canonical form: sorted, de-duplicated, checked. */
export interface Normalised {
  scopes: string[];
  resources: string[];
  audience: string | undefined;
  extra: [string, string][];
}

const RESERVED = new Set(['grant_type', 'client_id', 'client_secret']);

function list(value: string | readonly string[] | undefined, name: string): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [...value];
  throw invalidArgument(name, 'a string or an array of strings');
}

export function normalise(p: TokenParameters): Normalised {
  const scopes = [...new Set(list(p.scope, 'scope'))].sort();
  const resources = [...new Set(list(p.resource, 'resource'))].sort();
  if (p.audience !== undefined && typeof p.audience !== 'string') {
    throw invalidArgument('audience', 'a string');
  }
  const extra = Object.entries(p.extraParameters ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  for (const [name, value] of extra) {
    if (typeof value !== 'string') throw invalidArgument(`extraParameters.${name}`, 'a string');
    if (RESERVED.has(name) || name.startsWith('client_assertion')) {
      throw invalidArgument(
        `extraParameters.${name}`,
        'a parameter the provider does not set itself',
        'value',
      );
    }
  }
  return { scopes, resources, audience: p.audience, extra };
}

/** The token request body parameters (besides grant type and client authentication). */
export function toParams(n: Normalised): URLSearchParams {
  const params = new URLSearchParams();
  if (n.scopes.length) params.set('scope', n.scopes.join(' '));
  for (const r of n.resources) params.append('resource', r);
  if (n.audience !== undefined) params.set('audience', n.audience);
  for (const [name, value] of n.extra) params.append(name, value);
  return params;
}
