// Demo scene for @portcullis/secrets: a webhook signing secret rotated (generate → pending →
// test → current → previous retired after its grace) while one delivery a second keeps
// verifying; the verifier's matched label shows when the old secret stops being used.
import { runRotation } from '@portcullis-examples/secrets-rotation/rotation';

/** Rotate a webhook secret mid-stream; every delivery verifies. */
export async function secretsScene(say: (line: string) => void): Promise<void> {
  const run = await runRotation({ seconds: 60, rotateAtSecond: 10, graceSec: 30 });
  say('one delivery a second; sender and receiver each read the secret through a cache');
  let phase = '';
  for (const d of run.deliveries) {
    const now = `sender signs with ${d.senderSecrets} secret(s) → receiver matched "${d.matched ?? 'nothing'}"`;
    if (d.second === run.rotatedAt)
      say(`t=${d.second}s  rotation: new secret tested and promoted, old one kept as previous`);
    if (now !== phase) {
      say(`t=${d.second}s  ${d.verified ? 'verified' : 'REFUSED'}: ${now}`);
      phase = now;
    }
  }
  const refused = run.deliveries.filter((d) => !d.verified).length;
  say(
    `t=${run.retiredAt ?? '?'}s  previous retired after its 30 s grace; stages now: ${run.stagesAfter.join(', ')}`,
  );
  say(`${run.deliveries.length} deliveries, ${refused} refused`);
  if (refused > 0) throw new Error(`${refused} deliveries were refused during the rotation`);
}
