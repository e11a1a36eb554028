import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKeys, isApiKeyError, MemoryKeyRepository } from '@portcullis/apikeys';
import { createAuditLog, JsonlSink, verifyAuditChain } from '@portcullis/audit';
import { reveal } from '@portcullis/core';

/**
 * Inbound protection: API keys (unknown, mistyped, revoked, rotated) and a tamper-evident audit
 * trail that is verified, edited behind its back, and caught. Throws if any attack gets through.
 */
export async function inboundScene(say: (line: string) => void): Promise<void> {
  const keys = createApiKeys({
    prefix: 'pc_demo',
    pepper: 'demo-pepper-from-the-secrets-manager-32b',
    repository: new MemoryKeyRepository(),
  });
  const issued = await keys.issue({ owner: 'acme', name: 'orders sync', scopes: ['orders:read'] });
  const key = reveal(issued.key);
  say(`issued ${key.slice(0, 12)}… (shown once; stored: id ${issued.id} + HMAC only)`);
  const caller = await keys.verify(key, ['orders:read']);
  say(`the right key → ${caller.owner} with ${caller.scopes.join(', ')}`);

  const attempts: [string, string][] = [
    [
      'a key we never issued',
      reveal(
        (
          await createApiKeys({
            prefix: 'pc_demo',
            pepper: 'another-pepper-of-at-least-32-bytes!!',
            repository: new MemoryKeyRepository(),
          }).issue({ owner: 'x' })
        ).key,
      ),
    ],
    ['one mistyped character', `${key.slice(0, 20)}${key[20] === 'x' ? 'y' : 'x'}${key.slice(21)}`],
  ];
  for (const [what, presented] of attempts) {
    const error = await keys.verify(presented).catch((e: unknown) => e);
    if (!isApiKeyError(error, 'ERR_APIKEY_INVALID')) throw new Error(`${what} was accepted`);
    say(`${what} → ${error.status} ${error.code} (log says: ${error.refusal})`);
  }
  const scope = await keys.verify(key, ['orders:write']).catch((e: unknown) => e);
  if (!isApiKeyError(scope, 'ERR_APIKEY_SCOPE_MISSING'))
    throw new Error('a missing scope was accepted');
  say(`the right key for a scope it lacks → ${scope.status} ${scope.code}`);
  await keys.rotate(issued.id, { overlapMs: 0 });
  const leaked = await keys.verify(key).catch((e: unknown) => e);
  if (!isApiKeyError(leaked, 'ERR_APIKEY_INVALID'))
    throw new Error('a rotated-out key was accepted');
  say(`after a rotation with zero overlap the leaked key → ${leaked.status} (${leaked.refusal})`);

  const directory = mkdtempSync(join(tmpdir(), 'portcullis-demo-audit-'));
  try {
    const auditKey = 'demo-audit-key-from-the-secrets-manager!';
    const audit = createAuditLog({ sink: new JsonlSink({ directory }), key: auditKey });
    for (let i = 1; i <= 20; i++) {
      audit.record({
        actor: issued.id,
        action: 'orders.export',
        category: 'pii.contact',
        target: 'crm',
        count: i * 10,
        outcome: 'success',
      });
    }
    const refused = (() => {
      try {
        audit.record({
          actor: issued.id,
          action: 'orders.export',
          outcome: 'success',
          attributes: { note: `Bearer ${key}` },
        });
        return false;
      } catch {
        return true;
      }
    })();
    if (!refused) throw new Error('a secret reached the audit trail');
    say('an audit entry carrying a bearer token → refused (secrets never reach the trail)');
    await audit.close();
    const clean = await verifyAuditChain(JsonlSink.readLines(directory), { key: auditKey });
    say(`audit trail of ${clean.entries} entries verified: ${clean.ok}`);
    const file = join(directory, readdirSync(directory)[0] as string);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"count":70,', '"count":7,'));
    const edited = await verifyAuditChain(JsonlSink.readLines(directory), { key: auditKey });
    if (edited.ok) throw new Error('an edited audit trail verified');
    say(
      `someone edits entry 7 (70 records → 7) → caught: ${edited.problem} at line ${edited.at.line}`,
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
