// The Portcullis demo: plays every attack and failure of the threat model against real peers on
// 127.0.0.1 (an OAuth server, a payments API, a partner API, webhook receivers, Redis and two
// replica processes), then prints scenario → what happened → stopped by. It exits non-zero if any
// attack got through or a scene failed. Run it with `./scripts/demo.sh`; `--help` for the flags.
import { parseArgs } from 'node:util';
import { stopPeers } from './peers/processes.ts';
import { formatTable, type Row, runScenes, summary } from './runner.ts';
import type { Scene } from './scene.ts';
import { boundaryScene } from './scenes/boundary.ts';
import { coreScene } from './scenes/core.ts';
import { egressScene } from './scenes/egress.ts';
import { envelopeScene } from './scenes/envelope.ts';
import { fleetScene } from './scenes/fleet.ts';
import { inboundScene } from './scenes/inbound.ts';
import { oauthScene } from './scenes/oauth.ts';
import { paymentsScene } from './scenes/payments.ts';
import { ratelimitScene } from './scenes/ratelimit.ts';
import { resilienceScene } from './scenes/resilience.ts';
import { secretsScene } from './scenes/secrets.ts';
import { webhookSenderScene } from './scenes/webhookSender.ts';
import { webhooksScene } from './scenes/webhooks.ts';

/** Every scene, in the order played. One line each: add yours here. */
export const scenes: readonly Scene[] = [
  coreScene,
  webhooksScene,
  fleetScene,
  oauthScene,
  paymentsScene,
  resilienceScene,
  inboundScene,
  boundaryScene,
  ratelimitScene,
  egressScene,
  secretsScene,
  webhookSenderScene,
  envelopeScene,
];

const SCENE_TIMEOUT_MS = 20_000;

const USAGE = `Usage: ./scripts/demo.sh [--scene NAME[,NAME…]]… [--json] [--help]

Plays every attack and failure against real servers on 127.0.0.1 and prints
scenario → what happened → stopped by.

  --scene NAME   run only this scene (repeatable, or a comma-separated list)
  --json         print only the JSON array of {scene, scenario, happened, stoppedBy, held}
                 on stdout (progress goes to stderr)
  --help         show this help

Scenes: ${scenes.map((s) => s.name).join(', ')}

Exit codes: 0 every attack held; 1 an attack got through or a scene failed; 2 usage error.`;

function usageError(message: string): never {
  process.stderr.write(`demo: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parse(): { selected: readonly Scene[]; json: boolean } {
  let values: { scene?: string[]; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        scene: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    usageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const names = (values.scene ?? []).flatMap((v) => v.split(',')).map((n) => n.trim());
  const unknown = names.filter((n) => !scenes.some((s) => s.name === n));
  if (unknown.length > 0) usageError(`unknown scene ${unknown.map((n) => `"${n}"`).join(', ')}`);
  const selected = names.length === 0 ? scenes : scenes.filter((s) => names.includes(s.name));
  return { selected, json: values.json === true };
}

const { selected, json } = parse();
const out = json ? process.stderr : process.stdout;
let rows: readonly Row[] = [];
let failed = true;
try {
  const result = await runScenes(selected, {
    sceneTimeoutMs: SCENE_TIMEOUT_MS,
    progress: (line) => out.write(`${line}\n`),
  });
  rows = result.rows;
  failed = result.failedScenes.length > 0 || rows.some((r) => !r.held);
} finally {
  await stopPeers(); // every child process and server a scene left behind, even after a throw
}
const FIELDS = ['scene', 'scenario', 'happened', 'stoppedBy', 'held'];
const colour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const text = json
  ? `${JSON.stringify(rows, FIELDS, 2)}\n`
  : `\n${formatTable(rows, colour)}\n\n${summary(rows)}\n`;
if (json) process.stderr.write(`${summary(rows)}\n`);
// Exit once written: a scene abandoned at its timeout may still hold a timer or socket open.
process.stdout.write(text, () => process.exit(failed ? 1 : 0));
