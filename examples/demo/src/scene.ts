// The contract every demo scene follows. A scene starts what it needs on 127.0.0.1, plays one or
// more attacks or failures against the real packages, records one Outcome per scenario, and
// stops everything it started (also when it throws). The runner (main.ts) prints progress lines
// as they come, then the table scenario → what happened → stopped by, or JSON with --json, and
// exits non-zero when any outcome has `held: false` or a scene throws.

/** One row of the demo's table. */
export interface Outcome {
  /** The attack or failure played, e.g. `'forged Stripe webhook'`. */
  readonly scenario: string;
  /** What happened, e.g. `'refused: 400 ERR_WEBHOOK_SIGNATURE'`. No secret, token or payload. */
  readonly happened: string;
  /** The package (or packages) that stopped it or absorbed it, e.g. `'@portcullis/webhooks'`. */
  readonly stoppedBy: string;
  /** `true` when the attack was stopped (or the failure absorbed) as designed. */
  readonly held: boolean;
}

/** What a scene is given. */
export interface SceneContext {
  /** A progress line, printed as the scene goes (not in --json output). */
  say(line: string): void;
  /** Record one scenario's outcome. */
  record(outcome: Outcome): void;
  /**
   * Aborted when the scene's time is up (the runner's per-scene timeout). Optional so a scene can
   * be run with a bare `{ say, record }`; the runner always passes one.
   */
  readonly signal?: AbortSignal;
}

/** One demo scene, selectable with `--scene <name>`. */
export interface Scene {
  /** Short, stable, kebab-case name used by `--scene`, e.g. `'webhooks'`. */
  readonly name: string;
  /** One-line heading printed before the scene's progress lines. */
  readonly title: string;
  run(context: SceneContext): Promise<void>;
}
