// The provider's overhead per read: `provider.get(name)` against the raw floor,
// `client.send(new GetSecretValueCommand(...))`, on the same real SecretsManagerClient whose
// request handler answers at once in process (no network: both pay the SDK's serialisation,
// signing and parsing). Run: pnpm --filter @portcullis/secrets-aws bench
import { Readable } from 'node:stream';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsSecretsManagerProvider } from '@portcullis/secrets-aws';
import { Bench } from 'tinybench';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);
const body = JSON.stringify({
  ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-AbCdEf',
  Name: 'bench',
  VersionId: 'b5a2e0d4-8c1e-4f6a-9d3b-2e7f1a0c9b8d',
  SecretString: 'bench-secret-value',
  VersionStages: ['AWSCURRENT'],
  CreatedDate: 1764752400,
});

const client = new SecretsManagerClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
  maxAttempts: 1,
  requestHandler: {
    async handle() {
      return {
        response: {
          statusCode: 200,
          reason: 'OK',
          headers: { 'content-type': 'application/x-amz-json-1.1' },
          body: Readable.from([Buffer.from(body)]),
        },
      };
    },
  } as never,
});
const provider = new AwsSecretsManagerProvider({ client });

const bench = new Bench({ time: TIME_MS, warmupTime: 100 });
bench
  .add('raw client.send(GetSecretValueCommand)', async () => {
    await client.send(new GetSecretValueCommand({ SecretId: 'bench', VersionStage: 'AWSCURRENT' }));
  })
  .add('AwsSecretsManagerProvider.get', async () => {
    await provider.get('bench');
  });
await bench.run();

function hz(name: string): number {
  const result = bench.tasks.find((t) => t.name === name)?.result as
    | { state: string; throughput?: { mean: number }; error?: unknown }
    | undefined;
  if (result?.state !== 'completed' || result.throughput === undefined) {
    throw new Error(`${name} did not complete`, { cause: result?.error });
  }
  return result.throughput.mean;
}
const floor = hz('raw client.send(GetSecretValueCommand)');
console.log('| operation | ops/s | vs raw floor |');
console.log('| --- | ---: | ---: |');
for (const task of bench.tasks) {
  const ops = hz(task.name);
  console.log(
    `| ${task.name} | ${Math.round(ops).toLocaleString('en-US')} | ${(ops / floor).toFixed(2)}× |`,
  );
}
