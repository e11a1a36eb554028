// The demo scene of examples/demo, run for real: every outcome it records must hold.
import { expect, it } from 'vitest';
import type { Outcome } from '../../examples/demo/src/scene.ts';
import { webhookSenderScene } from '../../examples/demo/src/scenes/webhookSender.ts';

it('the webhook-sender demo scene: rollback, recovery, 410 and the metadata address all hold', async () => {
  const outcomes: Outcome[] = [];
  await webhookSenderScene.run({ say: () => {}, record: (o) => outcomes.push(o) });
  expect(outcomes.map((o) => o.scenario)).toEqual([
    'order rolled back after enqueue',
    'outbox table read straight from PostgreSQL',
    'receiver answers 500 twice, then recovers',
    'receiver answers 410 Gone',
    'endpoint registered at the cloud metadata address',
  ]);
  expect(outcomes.filter((o) => !o.held)).toEqual([]);
});
