// examples/webhook-sender, run as a program like `pnpm start` (it starts a throwaway PostgreSQL):
// a rolled-back order sends nothing, the two committed ones are delivered through a receiver that
// failed twice, and each is processed exactly once.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('pnpm start: two order events delivered after retries, each processed once, none for the rollback', async () => {
  const dir = fileURLToPath(new URL('../../examples/webhook-sender/', import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@portcullis/source', 'src/main.ts'],
    { cwd: dir, timeout: 45_000, env: { PATH: process.env.PATH ?? '' } },
  );
  expect(stdout).toMatch(/enqueued: msg_\S+, \(rolled back\), msg_\S+/);
  const delivered = stdout.match(/succeeded after \d attempt\(s\), processed 1x/g) ?? [];
  expect(delivered).toHaveLength(2);
  expect(stdout).toContain('receiver saw 4 requests'); // 2 failures + 2 successes
  expect(stdout).toContain('delivered: each order event processed once');
});
