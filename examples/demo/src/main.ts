// The Portcullis demo: one scene per package, each self-contained (servers it needs run on
// 127.0.0.1 and stop when it ends). Run it with `./scripts/demo.sh` from the repository root.
import { boundaryScene } from './scenes/boundary.ts';
import { coreScene } from './scenes/core.ts';
import { egressScene } from './scenes/egress.ts';
import { envelopeScene } from './scenes/envelope.ts';
import { inboundScene } from './scenes/inbound.ts';
import { oauthScene } from './scenes/oauth.ts';
import { ratelimitScene } from './scenes/ratelimit.ts';
import { resilienceScene } from './scenes/resilience.ts';
import { secretsScene } from './scenes/secrets.ts';
import { webhooksScene } from './scenes/webhooks.ts';

type Scene = [title: string, run: (say: (line: string) => void) => Promise<void>];

const scenes: Scene[] = [
  ['@portcullis/core: secrets, errors, stores', coreScene],
  ['@portcullis/webhooks: signed, verified, forgeries and replays refused', webhooksScene],
  ['@portcullis/oauth: many calls, one token request; inbound tokens verified', oauthScene],
  [
    '@portcullis/apikeys + audit: unknown and leaked keys refused; an edited audit trail caught',
    inboundScene,
  ],
  [
    '@portcullis/resilience: a failing partner trips its breaker, another carries on',
    resilienceScene,
  ],
  ['@portcullis/boundary: a CSV upload with XSS and formula payloads; hostile JSON', boundaryScene],
  ['@portcullis/egress: an outbound webhook aimed at the cloud metadata address', egressScene],
  ['@portcullis/secrets: a webhook secret rotated while deliveries keep verifying', secretsScene],
  ['@portcullis/ratelimit: a request flood held at the limit, headers and all', ratelimitScene],
  [
    envelopeScene.title,
    (say) =>
      envelopeScene.run({
        say,
        record: (o) => say(`${o.held ? '✓' : '✗'} ${o.scenario}: ${o.happened} (${o.stoppedBy})`),
      }),
  ],
];

const say = (line: string): void => {
  process.stdout.write(`  ${line}\n`);
};

let failed = 0;
for (const [title, run] of scenes) {
  process.stdout.write(`\n▶ ${title}\n`);
  try {
    await run(say);
  } catch (error) {
    failed++;
    process.stdout.write(`  ✗ scene failed: ${(error as Error).stack ?? String(error)}\n`);
  }
}
process.stdout.write(failed ? `\n${failed} scene(s) failed\n` : '\nall scenes ran\n');
process.exitCode = failed ? 1 : 0;
