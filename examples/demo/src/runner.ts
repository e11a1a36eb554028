// The demo's runner: plays scenes one after the other, each bounded by a timeout, collects their
// outcomes and renders the table (or JSON). main.ts holds the list of scenes and the command line.
import { redact } from '@portcullis/boundary';
import { stopPeers } from './peers/processes.ts';
import type { Outcome, Scene } from './scene.ts';

/** One row of the result: an {@link Outcome} and the scene that recorded it. */
export interface Row extends Outcome {
  readonly scene: string;
}

/** What {@link runScenes} needs. */
export interface RunOptions {
  /** Longest a scene may run; past it the scene is abandoned and counts as failed. Milliseconds. */
  readonly sceneTimeoutMs: number;
  /** Where progress lines go (stdout for the table, stderr with --json). */
  readonly progress: (line: string) => void;
}

/** What {@link runScenes} found. */
export interface RunResult {
  readonly rows: readonly Row[];
  /** Scenes that threw or timed out, with a message safe to show. */
  readonly failedScenes: readonly { scene: string; error: string }[];
}

/** An error as one line a reader may see: code and message, token shapes redacted, no stack. */
export function describeError(error: unknown): string {
  const safe = redact(error) as { name?: unknown; code?: unknown; message?: unknown } | string;
  if (typeof safe !== 'object' || safe === null) return String(safe);
  const code = typeof safe.code === 'string' ? `${safe.code}: ` : '';
  const name = typeof safe.name === 'string' ? safe.name : 'Error';
  return `${name}: ${code}${String(safe.message ?? '')}`;
}

/**
 * Runs `scenes` in order; a scene that throws or hangs is recorded as a failed row and the rest go
 * on. After each scene, whatever it started and did not stop (servers, child processes) is stopped.
 */
export async function runScenes(scenes: readonly Scene[], options: RunOptions): Promise<RunResult> {
  const rows: Row[] = [];
  const failedScenes: { scene: string; error: string }[] = [];
  for (const scene of scenes) {
    options.progress('');
    options.progress(`▶ ${scene.name}: ${scene.title}`);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`the scene did not finish within ${options.sceneTimeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, options.sceneTimeoutMs);
    });
    const context = {
      signal: controller.signal,
      say: (line: string) => options.progress(`  ${line}`),
      record: (outcome: Outcome) => {
        if (controller.signal.aborted) return; // late results of an abandoned scene
        rows.push({ scene: scene.name, ...outcome });
        options.progress(`  ${outcome.held ? '✓' : '✗'} ${outcome.scenario}: ${outcome.happened}`);
      },
    };
    try {
      await Promise.race([scene.run(context), timedOut]);
    } catch (error) {
      const message = describeError(error);
      failedScenes.push({ scene: scene.name, error: message });
      rows.push({
        scene: scene.name,
        scenario: `scene ${scene.name} ran to the end`,
        happened: `failed: ${message}`,
        stoppedBy: '—',
        held: false,
      });
      options.progress(`  ✗ scene failed: ${message}`);
    } finally {
      clearTimeout(timer);
      if (!controller.signal.aborted) controller.abort(new Error('scene finished'));
      await stopPeers();
    }
  }
  return { rows, failedScenes };
}

const HEAD = ['', 'scenario', 'what happened', 'stopped by'] as const;
/** Widest a column gets before its text wraps onto the next line (mark, scenario, happened, stopped by). */
const MAX_WIDTH = [1, 44, 64, 44] as const;

/** `text` broken at spaces into lines of at most `width` characters (a longer word stays whole). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/**
 * The plain, aligned table: mark, scenario, what happened, stopped by; long cells wrap within
 * their column. ANSI colour (green held, red not) only when `colour` is true.
 */
export function formatTable(rows: readonly Row[], colour: boolean): string {
  const cells = rows.map((r) =>
    [r.held ? '✓' : '✗', r.scenario, r.happened, r.stoppedBy].map((v, i) =>
      wrap(v, MAX_WIDTH[i] ?? 40),
    ),
  );
  const widths = HEAD.map((h, i) =>
    Math.max(h.length, ...cells.flatMap((c) => (c[i] ?? []).map((l) => l.length))),
  );
  const line = (c: readonly string[]): string =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const paint = (text: string, held: boolean): string =>
    colour ? `\x1b[${held ? 32 : 31}m${text}\x1b[0m` : text;
  const body = cells.flatMap((c, i) => {
    const height = Math.max(...c.map((lines) => lines.length));
    return Array.from({ length: height }, (_, k) =>
      paint(line(c.map((lines) => lines[k] ?? '')), rows[i]?.held ?? false),
    );
  });
  return [line(HEAD), line(widths.map((w) => '─'.repeat(w))), ...body].join('\n');
}

/** `"N attacks/failures played, N held"`. */
export function summary(rows: readonly Row[]): string {
  const held = rows.filter((r) => r.held).length;
  return `${rows.length} attacks/failures played, ${held} held`;
}
