import { invalidArgument } from '@portcullis/core';
import type { CryptoChoice } from '../../types.ts';
import type { CryptoBackend } from './CryptoBackend.ts';
import { nodeBackend } from './nodeBackend.ts';
import { webBackend } from './webBackend.ts';

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
