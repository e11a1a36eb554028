import type { Report } from './command.ts';

/** Turns a report into what is printed: one JSON object, or text lines and an error line. */
export function render(
  command: string,
  json: boolean,
  report: Report,
): { exitCode: number; stdout: string; stderr: string } {
  const { exitCode, data, text, problem } = report;
  if (json) {
    const body: Record<string, unknown> = { ok: exitCode === 0, command, ...data };
    if (problem !== undefined) body.error = { ...problem, exitCode };
    return { exitCode, stdout: `${JSON.stringify(body, null, 2)}\n`, stderr: '' };
  }
  const stdout = text.length > 0 ? `${text.join('\n')}\n` : '';
  const stderr = problem === undefined ? '' : `portcullis: ${problem.code}: ${problem.message}\n`;
  return { exitCode, stdout, stderr };
}
