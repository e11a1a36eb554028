// A webhook secret rotated while deliveries keep verifying. The sender and the receiver each have
// their own cache in front of the same provider (the receiver's refreshes faster, as a receiver
// that polls its secret store would); a rotator promotes a new secret mid-stream and retires the
// old one after its grace. Runs on a manual clock: one delivery per simulated second.
import { ManualClock, MemoryStore } from '@portcullis/core';
import { createRotator, createSecretsCache, MemoryProvider } from '@portcullis/secrets';
import {
  createSigner,
  createVerifier,
  generateSecret,
  type Signer,
  type Verifier,
} from '@portcullis/webhooks';
import { createWebhookSigner, createWebhookVerifier, WEBHOOK_SECRET } from './wiring.ts';

/** One delivery: when, which secrets the sender signed with, which one the receiver matched. */
export interface Delivery {
  second: number;
  verified: boolean;
  matched: string | undefined;
  senderSecrets: number;
}

/** What {@link runRotation} saw. */
export interface RotationRun {
  deliveries: Delivery[];
  rotatedAt: number;
  retiredAt: number | undefined;
  stagesAfter: string[];
}

/** Rotates a webhook secret at `rotateAtSecond` while delivering one webhook a second for `seconds`. */
export async function runRotation({
  seconds = 60,
  rotateAtSecond = 10,
  graceSec = 30,
} = {}): Promise<RotationRun> {
  const clock = new ManualClock(Date.parse('2026-03-01T12:00:00Z'));
  const provider = new MemoryProvider({ clock, secrets: { [WEBHOOK_SECRET]: generateSecret() } });
  const sender = createSecretsCache(provider, { clock, ttlMs: 20_000 });
  const receiver = createSecretsCache(provider, { clock, ttlMs: 4_000 });
  const signer = createWebhookSigner(sender, clock);
  const verifier = createWebhookVerifier(receiver, new MemoryStore({ clock }), clock);
  const rotator = createRotator({
    provider,
    name: WEBHOOK_SECRET,
    generate: () => generateSecret(),
    graceMs: graceSec * 1000,
    clock,
    // Before promotion: a message signed with the new secret verifies with it.
    test: async ({ value }) => {
      const probe = createSignerFor(String(value.reveal()), clock);
      const headers = await probe.sign({ body: '{"probe":true}' });
      return (
        (await createVerifierFor(String(value.reveal()), clock).verify({
          headers,
          body: '{"probe":true}',
        })) !== undefined
      );
    },
  });
  const deliveries: Delivery[] = [];
  let retiredAt: number | undefined;
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  for (let second = 0; second < seconds; second++) {
    if (second === rotateAtSecond) await rotator.rotate();
    const body = JSON.stringify({ type: 'invoice.paid', n: second });
    const headers = await signer.sign({ body });
    const senderSecrets = (headers['webhook-signature'] ?? '').split(' ').length;
    try {
      const result = await verifier.verify({ headers, body });
      deliveries.push({
        second,
        verified: true,
        matched: result.matchedSecret.label,
        senderSecrets,
      });
    } catch {
      deliveries.push({ second, verified: false, matched: undefined, senderSecrets });
    }
    clock.advance(1000);
    await flush();
    if (
      retiredAt === undefined &&
      !(await provider.listVersions(WEBHOOK_SECRET)).some((v) => v.stages.includes('previous')) &&
      second > rotateAtSecond
    ) {
      retiredAt = second;
    }
  }
  const stagesAfter = (await provider.listVersions(WEBHOOK_SECRET)).map(
    (v) => v.stages.join('+') || '(retired)',
  );
  rotator.stop();
  await Promise.all([sender.close(), receiver.close()]);
  return { deliveries, rotatedAt: rotateAtSecond, retiredAt, stagesAfter };
}

function createSignerFor(secret: string, clock: ManualClock): Signer {
  return createSigner({ secrets: secret, clock });
}
function createVerifierFor(secret: string, clock: ManualClock): Verifier {
  return createVerifier({ secrets: secret, clock });
}
