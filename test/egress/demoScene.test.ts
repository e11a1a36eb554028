// The demo's egress scene, run: every metadata form is refused and the honest delivery goes out.
import { expect, it } from 'vitest';
import { egressScene } from '../../examples/demo/src/scenes/egress.ts';

it('the demo scene refuses the metadata address in every form and delivers the honest webhook', async () => {
  const lines: string[] = [];
  await egressScene((line) => lines.push(line));
  expect(lines).toHaveLength(8);
  for (const line of lines.slice(0, 7)) expect(line).toMatch(/refused ERR_EGRESS_ADDRESS_REFUSED/);
  expect(lines[6]).toMatch(/at redirect 1$/);
  expect(lines[7]).toMatch(/delivered \(204\)$/);
});
