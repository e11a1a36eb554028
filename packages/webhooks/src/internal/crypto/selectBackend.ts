import { invalidArgument } from '@portcullis/core';
import type { CryptoBackend } from './CryptoBackend.ts';
import { nodeBackend } from './nodeBackend.ts';
import { webBackend } from './webBackend.ts';

/**
 * Which crypto implementation to use: `'node'` (`node:crypto`, the fast path), `'webcrypto'`
 * (`crypto.subtle`, for edge runtimes) or `'auto'` (node where available, else Web Crypto).
 */
export type CryptoChoice = 'auto' | 'node' | 'webcrypto';

/** Resolves a {@link CryptoChoice} to a backend; misuse is a `TypeError`. */
export function selectBackend(choice: CryptoChoice = 'auto'): CryptoBackend {
  if (choice === 'webcrypto') return webBackend;
  if (choice !== 'auto' && choice !== 'node') {
    throw invalidArgument('crypto', "'auto', 'node' or 'webcrypto'", 'value');
  }
  const node = nodeBackend();
  if (node !== undefined) return node;
  if (choice === 'node')
    throw invalidArgument('crypto', "'webcrypto' here: node:crypto is not available", 'value');
  return webBackend;
}
