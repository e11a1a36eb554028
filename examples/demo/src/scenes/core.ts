import { inspect } from 'node:util';
import {
  isPortcullisError,
  ManualClock,
  MemoryStore,
  PortcullisError,
  redacted,
  timingSafeEqual,
} from '@portcullis/core';

/** The core pieces every package builds on: secrets that never print, typed errors, a store. */
export async function coreScene(say: (line: string) => void): Promise<void> {
  const apiKey = redacted('sk_live_demo_51Hx9-never-printed');
  say(`a secret in a template literal:  ${apiKey}`);
  say(`… in JSON.stringify:             ${JSON.stringify({ apiKey })}`);
  say(`… in util.inspect/console.log:   ${inspect({ apiKey })}`);
  say(`… read on purpose, length only:  ${apiKey.reveal().length} characters`);

  const equal = timingSafeEqual(apiKey.reveal(), 'sk_live_demo_51Hx9-never-printed');
  say(
    `constant-time compare with the right value: ${equal}, with a wrong one: ${timingSafeEqual(apiKey.reveal(), 'sk_live_guess')}`,
  );

  const error = new PortcullisError('ERR_DEMO_REFUSED', 'The request was refused.', {
    status: 403,
    cause: new Error(`upstream said: bad key ${apiKey.reveal()}`),
  });
  say(`a typed error as the caller sees it: ${JSON.stringify(error)}`);
  say(`matched by code, not message: ${isPortcullisError(error, 'ERR_DEMO_REFUSED')}`);

  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const store = new MemoryStore({ clock, maxEntries: 1_000 });
  const first = await store.setIfAbsent('nonce:msg_1', '1', 300_000);
  const again = await store.setIfAbsent('nonce:msg_1', '1', 300_000);
  clock.advance(300_001);
  const later = await store.setIfAbsent('nonce:msg_1', '1', 300_000);
  say(`a nonce store: first use ${first}, replay ${again}, after its 5-minute window ${later}`);
}
