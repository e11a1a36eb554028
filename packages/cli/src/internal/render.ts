import type { Report } from './command.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what is escaped
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text for a terminal: every control character but tab (and the line breaks `render` adds) as
 * `\u001b` etc., so a file name, a claim or a peer's message cannot move the cursor, retitle the
 * window or hide a line (ANSI/OSC escape injection).
 */
function safe(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Turns a report into what is printed: one JSON object, or text lines and an error line. */
export function render(
  command: string,
  json: boolean,
  report: Report,
): { exitCode: number; stdout: string; stderr: string } {
  const { exitCode, data, text, problem, raw } = report;
  if (json) {
    const body: Record<string, unknown> = { ok: exitCode === 0, command, ...data };
    if (problem !== undefined) body.error = { ...problem, exitCode };
    return { exitCode, stdout: `${JSON.stringify(body, null, 2)}\n`, stderr: '' };
  }
  const lines = raw === true ? text : text.flatMap((line) => line.split('\n')).map(safe);
  const stdout = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  const stderr =
    problem === undefined ? '' : `portcullis: ${safe(problem.code)}: ${safe(problem.message)}\n`;
  return { exitCode, stdout, stderr };
}
