// Demo scene for @portcullis/secrets: a webhook signing secret rotated (generate → pending →
// test → current → previous retired after its grace) while one delivery a second keeps
// verifying; the verifier's matched label shows when the old secret stops being used.
import { runRotation } from '@portcullis-examples/secrets-rotation/rotation';
import type { Scene } from '../scene.ts';

export const secretsScene: Scene = {
  name: 'secrets',
  title: '@portcullis/secrets: a webhook secret rotated while deliveries keep verifying',
  async run({ say, record }) {
    const run = await runRotation({ seconds: 60, rotateAtSecond: 10, graceSec: 30 });
    say(
      'one delivery a (simulated) second; sender and receiver each read the secret through a cache',
    );
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
    record({
      scenario: 'webhook secret rotated while deliveries keep verifying',
      happened: `${run.deliveries.length} deliveries, ${refused} refused; old secret retired at t=${run.retiredAt ?? '?'}s (stages: ${run.stagesAfter.join(', ')})`,
      stoppedBy: '@portcullis/secrets rotation + @portcullis/webhooks',
      held: refused === 0 && run.retiredAt !== undefined,
    });
  },
};
