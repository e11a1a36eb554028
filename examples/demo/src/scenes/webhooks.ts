// Demo scene for @portcullis/webhooks: sign a webhook, verify it, then watch a forged webhook
// (tampered body), a replay and a stale message being refused, each with its stable error code.
// No network: the "request" is the headers and body a receiver would get.
import { ManualClock, MemoryStore } from '@portcullis/core';
import {
  createSigner,
  createVerifier,
  explain,
  generateKeyPair,
  generateSecret,
  isWebhookError,
} from '@portcullis/webhooks';

async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'accepted';
  } catch (error) {
    if (isWebhookError(error)) return `refused: ${error.code} (HTTP ${error.status})`;
    throw error;
  }
}

/** Sign, verify, and refuse a forged and a replayed webhook. */
export async function webhooksScene(say: (line: string) => void): Promise<void> {
  const clock = new ManualClock(Date.parse('2026-01-01T12:00:00Z'));
  const secret = generateSecret();
  say(`a new endpoint secret: ${secret} (a Redacted box: it never prints)`);

  const signer = createSigner({ secrets: secret, clock });
  const verifier = createVerifier({ secrets: secret, clock, store: new MemoryStore({ clock }) });
  const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1042', amount: 4200 } });
  const headers = await signer.sign({ body });
  say(`signed: webhook-id ${headers['webhook-id']}, timestamp ${headers['webhook-timestamp']},`);
  say(`        webhook-signature ${headers['webhook-signature']?.slice(0, 18)}…`);

  const verified = await verifier.verify({ headers, body });
  say(
    `genuine delivery:  accepted (id ${verified.id}, matched secret #${verified.matchedSecret.index})`,
  );

  const forged = body.replace('4200', '1');
  say(
    `forged delivery (amount changed to 1, same headers): ${await outcome(() => verifier.verify({ headers, body: forged }))}`,
  );
  say(
    `replayed delivery (same headers and body again):     ${await outcome(() => verifier.verify({ headers, body }))}`,
  );

  clock.advance(10 * 60_000);
  const late = await signer.sign({ body, timestamp: Math.floor(clock.now() / 1000) - 600 });
  say(
    `a message signed 10 minutes ago: ${await outcome(() => verifier.verify({ headers: late, body }))}`,
  );
  const diagnosis = await explain({ secrets: secret, headers: late, body, clock });
  say(`explain(): ${diagnosis.likelyCauses[0]}`);

  const { secretKey, publicKey } = await generateKeyPair();
  const asymmetric = await createSigner({ secrets: [secretKey, secret], clock }).sign({ body });
  const publicOnly = createVerifier({ secrets: publicKey, clock });
  say(
    `Ed25519 (v1a) next to v1, verified with the public key only: ${await outcome(() => publicOnly.verify({ headers: asymmetric, body }))}`,
  );
}
