import { afterEach, beforeEach, expect, vi } from 'vitest';

// A library must not print. Any console output during a test fails that test, so a stray log
// (the classic way secrets leak) cannot land unnoticed.
const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
let printed: string[] = [];

beforeEach(() => {
  printed = [];
  for (const method of methods) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push(`console.${method}: ${args.map(String).join(' ').slice(0, 200)}`);
    });
  }
});

afterEach(() => {
  expect(printed, 'unexpected console output').toEqual([]);
});
