// One process of the two-rotator test: a rotator of its own over a RedisStore shared with the
// other process; both wait for each other (a barrier in Redis) and hold the rotation in a slow
// test hook, so their lock attempts overlap. Prints what happened as JSON.

import { createRotator, isSecretsError, MemoryProvider } from '@portcullis/secrets';
import { RedisStore } from '@portcullis/store-redis';
import { readWorkerInput } from '../harness/worker.ts';

interface Input {
  url: string;
  keyPrefix: string;
  processes: number;
  holdMs: number;
}

const input = await readWorkerInput<Input>();
const store = await RedisStore.connect({ url: input.url, keyPrefix: input.keyPrefix });
const provider = new MemoryProvider({ secrets: { 'webhook-secret': 'whsec_original' } });
let promoted = false;
const moveStage = provider.moveStage.bind(provider);
provider.moveStage = async (name, stage, versionId) => {
  if (stage === 'current') promoted = true;
  return moveStage(name, stage, versionId);
};
const rotator = createRotator({
  provider,
  store,
  name: 'webhook-secret',
  generate: () => `whsec_${process.pid}`,
  graceMs: 60_000,
  test: () => new Promise<void>((r) => setTimeout(r, input.holdMs)),
});
// A barrier through Redis: both processes are connected and ready before either rotates.
await store.increment('ready', 60_000);
for (let i = 0; i < 1000 && Number(await store.get('ready')) < input.processes; i++) {
  await new Promise((r) => setTimeout(r, 5));
}
let outcome: string;
try {
  outcome = (await rotator.rotate()).outcome;
} catch (error) {
  outcome = isSecretsError(error) ? error.code : `unexpected ${(error as Error).name}`;
}
rotator.stop();
await store.close();
process.stdout.write(JSON.stringify({ outcome, promoted }));
