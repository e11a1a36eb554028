import { inspect } from 'node:util';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Clock, systemClock } from '@portcullis/core';
import {
  AwsSecretsManagerProvider,
  type AwsSecretsManagerProviderOptions,
} from '@portcullis/secrets-aws';
import { expect } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../harness/faultProxy.ts';
import { type MotoPeer, startMoto } from '../harness/moto.ts';

export const REGION = 'us-east-1';
/** moto checks no signature; the SDK still needs credentials to sign with. */
export const CREDENTIALS = { accessKeyId: 'AKIDTESTMOTO', secretAccessKey: 'moto-does-not-check' };

export interface AwsPeers {
  moto: MotoPeer;
  proxy: FaultProxy;
  /** Straight to moto (no proxy): for arranging state. */
  admin: SecretsManagerClient;
  /** Through the proxy, no SDK retries: what the provider under test uses. */
  client: SecretsManagerClient;
  stop(): Promise<void>;
}

export async function startAwsPeers(): Promise<AwsPeers> {
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.endpoint);
  const admin = new SecretsManagerClient({
    endpoint: moto.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
  });
  const client = new SecretsManagerClient({
    endpoint: proxy.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  return {
    moto,
    proxy,
    admin,
    client,
    async stop() {
      admin.destroy();
      client.destroy();
      await proxy.stop();
      await moto.stop();
    },
  };
}

/** A clock that records every backoff sleep and returns at once (real time for the bounds). */
export function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => systemClock.now(),
    schedule: (ms, task) => systemClock.schedule(ms, task),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
}

export function provider(
  peers: AwsPeers,
  options: Omit<AwsSecretsManagerProviderOptions, 'client'> = {},
): AwsSecretsManagerProvider {
  return new AwsSecretsManagerProvider({ client: peers.client, ...options });
}

let counter = 0;
/** A secret name no other test uses. */
export function uniqueName(label: string): string {
  counter++;
  return `portcullis/${label}-${process.pid}-${counter}`;
}

export async function createSecret(
  peers: AwsPeers,
  name: string,
  value: string | Uint8Array,
): Promise<string> {
  const out = await peers.admin.send(
    new CreateSecretCommand({
      Name: name,
      ...(typeof value === 'string' ? { SecretString: value } : { SecretBinary: value }),
    }),
  );
  return out.VersionId as string;
}

/** Every way an error reaches a log, as text: none may contain `secret`. */
export function expectNoSecretIn(error: unknown, ...secrets: string[]): void {
  const views = [
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    String(error),
    JSON.stringify(error),
    String((error as Error).stack),
    inspect((error as Error).cause, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
  ].join('\n');
  for (const secret of secrets) expect(views).not.toContain(secret);
}
