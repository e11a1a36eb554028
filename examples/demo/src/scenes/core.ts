// Demo scene for @portcullis/core: a secret that reaches a log line, JSON, util.inspect or an
// error's cause prints as a placeholder; typed errors are matched by code, not message text.
import { inspect } from 'node:util';
import { isPortcullisError, PortcullisError, redacted } from '@portcullis/core';
import type { Scene } from '../scene.ts';

const SECRET = 'sk_live_demo_51Hx9-never-printed';

export const coreScene: Scene = {
  name: 'core',
  title: '@portcullis/core: secrets that never print, typed errors',
  async run({ say, record }) {
    const apiKey = redacted(SECRET);
    const renderings = [`${apiKey}`, JSON.stringify({ apiKey }), inspect({ apiKey })];
    say(`a secret in a template literal, JSON.stringify, util.inspect: ${renderings.join(' · ')}`);
    record({
      scenario: 'a secret written to a log line',
      happened: `printed as ${String(apiKey)} in a template, JSON and util.inspect`,
      stoppedBy: '@portcullis/core Redacted',
      held: renderings.every((r) => !r.includes(SECRET)),
    });

    const error = new PortcullisError('ERR_DEMO_REFUSED', 'The request was refused.', {
      status: 403,
      cause: new Error(`upstream said: bad key ${apiKey}`),
    });
    const shown = [JSON.stringify(error), inspect(error, { depth: Number.POSITIVE_INFINITY })];
    say(`a typed error as the caller sees it: ${shown[0]}`);
    record({
      scenario: 'a secret in an error sent to the caller',
      happened: `caller sees ${error.code} (HTTP ${error.status}) and a safe message; the cause naming the key stays out`,
      stoppedBy: '@portcullis/core PortcullisError',
      held: shown.every((s) => !s.includes(SECRET)) && isPortcullisError(error, 'ERR_DEMO_REFUSED'),
    });
  },
};
