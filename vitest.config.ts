import { defineConfig } from 'vitest/config';

// Our packages resolve to their TypeScript sources in-repo (the `@portcullis/source` export
// condition), so tests run without a build and exercise the public entry points by name.
const resolve = { conditions: ['@portcullis/source'] };

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: resolve.conditions, externalConditions: resolve.conditions } },
  test: {
    setupFiles: ['./test/setup/failOnConsole.ts'],
    restoreMocks: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        extends: true,
        test: {
          // Real peers on 127.0.0.1: redis-server, oidc-provider, protocol fakes, child processes.
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
