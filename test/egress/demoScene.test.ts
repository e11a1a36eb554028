// The demo's egress scene, run: every metadata form is refused and the honest delivery goes out.
import { expect, it } from 'vitest';
import type { Outcome } from '../../examples/demo/src/scene.ts';
import { egressScene } from '../../examples/demo/src/scenes/egress.ts';

it('the demo scene refuses the metadata address in every form and delivers the honest webhook', async () => {
  const lines: string[] = [];
  const outcomes: Outcome[] = [];
  await egressScene.run({ say: (line) => lines.push(line), record: (o) => outcomes.push(o) });
  expect(outcomes).toHaveLength(7);
  for (const o of outcomes) {
    expect(o.held).toBe(true);
    expect(o.happened).toMatch(/refused ERR_EGRESS_ADDRESS_REFUSED/);
  }
  expect(outcomes[6]?.happened).toMatch(/at redirect 1$/);
  expect(lines.at(-1)).toMatch(/delivered \(204\)$/);
});
