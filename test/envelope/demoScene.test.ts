// The demo's envelope scene holds: three outcomes, each held, and no plaintext in what it prints.
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../examples/demo/src/scene.ts';
import { envelopeScene } from '../../examples/demo/src/scenes/envelope.ts';

describe('demo scene: envelope', () => {
  it('records one held outcome per scenario and prints ciphertext only', async () => {
    const lines: string[] = [];
    const outcomes: Outcome[] = [];
    await envelopeScene.run({ say: (l) => lines.push(l), record: (o) => outcomes.push(o) });
    expect(outcomes.map((o) => o.scenario)).toEqual([
      'database row read without the key',
      "ciphertext copied to another tenant's row",
      'erasure request: a data subject crypto-shredded',
    ]);
    for (const o of outcomes) expect(o.held).toBe(true);
    const printed = [...lines, ...outcomes.map((o) => o.happened)].join('\n');
    expect(printed).not.toContain('confidential');
    expect(printed).toContain('ERR_ENVELOPE_CONTEXT_MISMATCH');
    expect(printed).toContain('ERR_ENVELOPE_SHREDDED');
  });
});
