// Type-level tests of the public API: checked by `tsc` (the check's types step), and run by vitest
// so a broken runtime shape fails too.
import {
  type Clock,
  type Counter,
  type InvalidArgumentError,
  invalidArgument,
  ManualClock,
  MemoryStore,
  PortcullisError,
  type PortcullisErrorJSON,
  type Redacted,
  redacted,
  reveal,
  type Store,
  StoreError,
  type StoreErrorCode,
  systemClock,
  type Telemetry,
  telemetry,
} from '@portcullis/core';
import { describe, expectTypeOf, it } from 'vitest';

describe('public types', () => {
  it('Redacted keeps its type and only reveal() gives it back', () => {
    const key = redacted('k');
    expectTypeOf(key).toEqualTypeOf<Redacted<string>>();
    expectTypeOf(key.reveal()).toEqualTypeOf<string>();
    expectTypeOf(redacted(new Uint8Array(1)).reveal()).toExtend<Uint8Array>();
    expectTypeOf(reveal<string>(key)).toEqualTypeOf<string>();
    // @ts-expect-error a Redacted is not a string
    const asString: string = key;
    void asString;
  });

  it('errors expose code, status and a JSON shape without cause', () => {
    expectTypeOf(new PortcullisError('ERR_X', 'x').code).toEqualTypeOf<string>();
    expectTypeOf(new StoreError('ERR_STORE_FULL', 'x').code).toEqualTypeOf<StoreErrorCode>();
    expectTypeOf<PortcullisErrorJSON>().not.toHaveProperty('cause');
    expectTypeOf(invalidArgument('a', 'b')).toEqualTypeOf<InvalidArgumentError>();
    // @ts-expect-error codes of a StoreError are a closed set
    new StoreError('ERR_STORE_WHATEVER', 'x');
  });

  it('MemoryStore is a Store; increment returns a Counter', () => {
    expectTypeOf(new MemoryStore()).toExtend<Store>();
    expectTypeOf<ReturnType<Store['increment']>>().toEqualTypeOf<Promise<Counter>>();
    // @ts-expect-error every entry expires: a TTL is required
    const misuse = () => new MemoryStore().set('k', 'v');
    expectTypeOf(misuse).toBeFunction();
  });

  it('clocks and telemetry', () => {
    expectTypeOf(systemClock).toEqualTypeOf<Clock>();
    expectTypeOf(new ManualClock()).toExtend<Clock>();
    expectTypeOf(telemetry('@portcullis/x')).toEqualTypeOf<Telemetry>();
  });
});
