// Rotates a webhook signing secret while one delivery a second keeps verifying; prints a line
// per phase. Run: pnpm --filter @portcullis-examples/secrets-rotation start
import { runRotation } from './rotation.ts';

const run = await runRotation();
let phase = '';
for (const d of run.deliveries) {
  const now = `sender signs with ${d.senderSecrets} secret(s), receiver matched ${d.matched ?? 'nothing'}`;
  if (now !== phase) {
    process.stdout.write(
      `t=${String(d.second).padStart(2)}s ${d.verified ? 'verified' : 'REFUSED '} — ${now}\n`,
    );
    phase = now;
  }
}
const refused = run.deliveries.filter((d) => !d.verified).length;
process.stdout.write(
  `rotated at ${run.rotatedAt}s, previous retired at ${run.retiredAt ?? '—'}s; stages now: ${run.stagesAfter.join(', ')}\n`,
);
process.stdout.write(`${run.deliveries.length} deliveries, ${refused} refused\n`);
process.exitCode = refused === 0 ? 0 : 1;
