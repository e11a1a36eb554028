import { Command, CommanderError } from 'commander';
import { registerApikey } from './commands/apikey.ts';
import { registerAudit } from './commands/audit.ts';
import { registerJwt } from './commands/jwt.ts';
import { registerSecret } from './commands/secret.ts';
import { registerSsrf } from './commands/ssrf.ts';
import { registerToken } from './commands/token.ts';
import { registerWebhook } from './commands/webhook.ts';
import { codeOf, EXIT_CODES, exitCodeFor } from './exitCodes.ts';
import type { Act, Report } from './internal/command.ts';
import { Inputs } from './internal/inputs.ts';
import { render } from './internal/render.ts';
import { type CliIo, nodeIo } from './io.ts';

/** What one run of the command produced: exit code and everything it printed. */
export interface CliResult {
  /** 0 ok, 1 refused, 2 usage, 3 runtime (see `EXIT_CODES`). */
  exitCode: number;
  /** What goes to stdout. */
  stdout: string;
  /** What goes to stderr. */
  stderr: string;
}

/** The program's version, printed by `--version`. */
export const VERSION = '0.1.0';

/**
 * `--name=value` in a commander message, with the value cut out (it could be a secret): each
 * such argument of `argv` as a whole (a value may hold quotes, spaces, newlines), then any left.
 */
function withoutValues(text: string, argv: readonly string[]): string {
  let cut = text;
  for (const arg of argv) {
    const m = /^(--?[^=\s]+)=/.exec(arg);
    if (m !== null && arg.length > m[0].length) cut = cut.split(arg).join(`${m[1]}=…`);
  }
  return cut.replace(/(--?[A-Za-z][\w-]*)=[^\s'"]*/g, '$1=…');
}

/**
 * Runs the `portcullis` command with `argv` (the arguments after the program name) and returns
 * what it printed and its exit code, without touching the process: the bin writes the result out.
 *
 * @example
 * ```ts
 * import { run } from '@portcullis/cli';
 * const { exitCode, stdout } = await run(['ssrf', 'check', 'http://169.254.169.254/', '--json']);
 * console.log(exitCode, JSON.parse(stdout).allowed); // 1 false
 * ```
 */
export async function run(argv: readonly string[], io: CliIo = nodeIo()): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const inputs = new Inputs(io);
  let report: Report | undefined;
  let failure: unknown;
  let json = false;
  let name = '';

  const act: Act =
    (command, work) =>
    async (...args) => {
      const options = command.opts();
      json = options.json === true;
      name = command.parent ? `${command.parent.name()} ${command.name()}` : command.name();
      const positional = args.slice(0, command.registeredArguments.length) as string[];
      try {
        report = await work(options as never, { io, inputs }, positional);
      } catch (error) {
        failure = error;
      }
    };

  const program = new Command('portcullis')
    .description(
      'Portcullis integration-security tools: webhooks, secrets, API keys, tokens, JWTs, audit trails, SSRF checks.',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 refused (verification failed), 2 usage error, 3 runtime or peer error.\nEvery command takes --help and --json.',
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out.push(s),
      writeErr: (s) => err.push(withoutValues(s, argv)),
      // Usage errors are printed by `run`, with their code.
      outputError: () => {},
    });
  registerWebhook(program, act);
  registerSecret(program, act);
  registerApikey(program, act);
  registerToken(program, act);
  registerJwt(program, act);
  registerAudit(program, act);
  registerSsrf(program, act);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const helpOk = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
      if (error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync') {
        // A group named without its subcommand: commander printed its help.
        return { exitCode: EXIT_CODES.usage, stdout: '', stderr: out.join('') + err.join('') };
      }
      if (helpOk) return { exitCode: EXIT_CODES.ok, stdout: out.join(''), stderr: err.join('') };
      // A usage error: commander's message (values cut out), with our stable code.
      const message = withoutValues(error.message.replace(/^error: /, ''), argv);
      if (argv.includes('--json')) {
        const body = {
          ok: false,
          command: name,
          error: { code: 'ERR_CLI_USAGE', message, exitCode: 2 },
        };
        return {
          exitCode: EXIT_CODES.usage,
          stdout: `${JSON.stringify(body, null, 2)}\n`,
          stderr: '',
        };
      }
      return {
        exitCode: EXIT_CODES.usage,
        stdout: '',
        stderr: `portcullis: ERR_CLI_USAGE: ${message}\n(add --help for usage)\n`,
      };
    }
    failure = error;
  }
  if (report === undefined && failure === undefined) {
    // No action ran: `portcullis` with no command.
    return { exitCode: EXIT_CODES.usage, stdout: '', stderr: program.helpInformation() };
  }
  const rendered =
    failure === undefined
      ? render(name, json, report as Report)
      : render(name, json, {
          exitCode: exitCodeFor(failure),
          data: {},
          text: [],
          problem: { code: codeOf(failure), message: messageOf(failure) },
        });
  return scrub(rendered, inputs.secrets);
}

/** A failure's message, or for an unexpected error only its name (its message is not ours). */
function messageOf(error: unknown): string {
  if (codeOf(error) === 'ERR_CLI_INTERNAL') {
    const kind = error instanceof Error ? error.name : typeof error;
    return `Unexpected ${kind}: this is a bug in portcullis, please report it.`;
  }
  return (error as Error).message;
}

/** Every secret read as input, cut out of the output wherever it might appear. */
function scrub(result: CliResult, secrets: readonly string[]): CliResult {
  let { stdout, stderr } = result;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    stdout = stdout.split(secret).join('[REDACTED]');
    stderr = stderr.split(secret).join('[REDACTED]');
  }
  return { exitCode: result.exitCode, stdout, stderr };
}
