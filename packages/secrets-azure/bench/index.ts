// The provider's overhead per read: `provider.get(name, { versionId })` against the raw floor,
// `client.getSecret(name, { version })`, on the same real SecretClient whose HTTP client answers
// at once in process (no network: both pay the SDK's pipeline and parsing). Reading by stage adds
// a version listing per read (two calls), shown as its own row.
// Run: pnpm --filter @portcullis/secrets-azure bench
import { createHttpHeaders, type PipelineRequest } from '@azure/core-rest-pipeline';
import { SecretClient } from '@azure/keyvault-secrets';
import { AzureKeyVaultProvider } from '@portcullis/secrets-azure';
import { Bench } from 'tinybench';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);
const VAULT = 'https://bench.vault.azure.net';
const VERSION = '0123456789abcdef0123456789abcdef';
const attributes = { enabled: true, created: 1764752400, updated: 1764752400 };
const secretBody = JSON.stringify({
  value: 'bench-secret-value',
  id: `${VAULT}/secrets/bench/${VERSION}`,
  attributes,
  tags: { 'portcullis-stage': 'current' },
});
const listBody = JSON.stringify({
  value: [
    {
      id: `${VAULT}/secrets/bench/${VERSION}`,
      attributes,
      tags: { 'portcullis-stage': 'current' },
    },
  ],
  nextLink: null,
});

const client = new SecretClient(
  VAULT,
  { getToken: async () => ({ token: 'bench-token', expiresOnTimestamp: Date.now() + 3600_000 }) },
  {
    retryOptions: { maxRetries: 0 },
    httpClient: {
      async sendRequest(request: PipelineRequest) {
        return {
          request,
          status: 200,
          headers: createHttpHeaders({ 'content-type': 'application/json' }),
          bodyAsText: request.url.includes('/versions') ? listBody : secretBody,
        };
      },
    },
  },
);
const provider = new AzureKeyVaultProvider({ client });

const bench = new Bench({ time: TIME_MS, warmupTime: 100 });
bench
  .add('raw client.getSecret(name, { version })', async () => {
    await client.getSecret('bench', { version: VERSION });
  })
  .add('AzureKeyVaultProvider.get by versionId', async () => {
    await provider.get('bench', { versionId: VERSION });
  })
  .add('AzureKeyVaultProvider.get current (listing + read)', async () => {
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
const floor = hz('raw client.getSecret(name, { version })');
console.log('| operation | ops/s | vs raw floor |');
console.log('| --- | ---: | ---: |');
for (const task of bench.tasks) {
  const ops = hz(task.name);
  console.log(
    `| ${task.name} | ${Math.round(ops).toLocaleString('en-US')} | ${(ops / floor).toFixed(2)}× |`,
  );
}
