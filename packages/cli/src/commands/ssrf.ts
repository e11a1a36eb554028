import type { SecureFetchOptions } from '@portcullis/egress';
import type { Command } from 'commander';
import { DEFAULTS } from '../DEFAULTS.ts';
import {
  type Act,
  addJson,
  type Context,
  collect,
  ok,
  type Report,
  refused,
} from '../internal/command.ts';

/** Options of `ssrf check`, as parsed. */
export interface SsrfCheckOptions {
  allowHost?: string[];
  allowAddress?: string[];
  allowLoopbackHttp?: boolean;
  json?: boolean;
}

/** The rule of the egress policy behind each refusal. */
const RULES: Readonly<Record<string, string>> = Object.freeze({
  ERR_EGRESS_INVALID_URL: 'URLs must be absolute, with a host and without credentials',
  ERR_EGRESS_INSECURE_SCHEME:
    'https: only (--allow-loopback-http admits http: to loopback addresses)',
  ERR_EGRESS_HOST_NOT_ALLOWED: 'the host and port must match --allow-host',
  ERR_EGRESS_ADDRESS_REFUSED:
    'every address must be globally routable unicast (not private, loopback, link-local/metadata, …); --allow-address exempts a range',
  ERR_EGRESS_DNS_FAILED: 'the host must resolve to an IP address',
});

/** One address the host has, and whether the policy admits it. */
interface AddressView {
  address: string;
  range: string;
  embedded?: string;
  global: boolean;
}

/**
 * `portcullis ssrf check URL`: would `@portcullis/egress` let a request to this URL through? It
 * resolves the host (as egress does at connect time), shows every address and its range, and
 * runs egress's own `check()` on exactly those addresses; when refused, it names the code and
 * the rule. Nothing is sent.
 */
export async function ssrfCheck(
  options: SsrfCheckOptions,
  context: Context,
  args: string[],
): Promise<Report> {
  // Loaded when used (undici), so the other commands start faster.
  const { classifyAddress, createSecureFetch, isEgressError } = await import('@portcullis/egress');
  const url = args[0] as string;
  let hostname: string | undefined;
  try {
    hostname = new URL(url).hostname;
  } catch {
    hostname = undefined;
  }
  let addresses: AddressView[] = [];
  let resolved: readonly { address: string; family: number }[] | undefined;
  let dnsError: string | undefined;
  if (hostname !== undefined && hostname !== '') {
    const literal = classifyAddress(hostname);
    if (literal === undefined) {
      try {
        resolved = await context.io.resolve(hostname);
      } catch (error) {
        dnsError = (error as { code?: string }).code ?? 'EAI_FAIL';
      }
    }
    const raw =
      literal !== undefined ? [literal] : (resolved ?? []).map((r) => classifyAddress(r.address));
    addresses = raw
      .filter((c) => c !== undefined)
      .map((c) => ({
        address: c.address,
        range: c.range,
        ...(c.embedded === undefined ? {} : { embedded: c.embedded }),
        global: c.global,
      }));
  }
  const settings: SecureFetchOptions = {
    allowHosts: options.allowHost ?? [DEFAULTS.allowHost],
    resolver: async () => {
      if (resolved === undefined) throw new Error(`DNS lookup failed (${dnsError ?? 'no answer'})`);
      return resolved;
    },
  };
  if (options.allowAddress !== undefined) settings.allowAddresses = options.allowAddress;
  if (options.allowLoopbackHttp === true) settings.allowLoopbackHttp = true;
  const secureFetch = createSecureFetch(settings);
  const lines = addresses.map(
    (a) =>
      `  ${a.address}  ${a.range}${a.embedded === undefined ? '' : ` (embeds ${a.embedded})`}${a.global ? '' : '  not globally routable'}`,
  );
  if (dnsError !== undefined) lines.push(`  (no address: the lookup failed, ${dnsError})`);
  const shown = [
    ...(hostname !== undefined && classifyAddress(hostname) === undefined
      ? [`${hostname} resolves to:`]
      : addresses.length
        ? ['address:']
        : []),
    ...lines,
  ];
  try {
    const checked = await secureFetch.check(url);
    return ok({ allowed: true, url: checked.origin, addresses }, [
      `allowed: ${checked.origin}`,
      ...shown,
    ]);
  } catch (error) {
    if (!isEgressError(error)) throw error;
    const rule = RULES[error.code] ?? 'egress policy';
    const blocked = addresses.filter((a) => !a.global);
    const data = {
      allowed: false,
      addresses,
      rule,
      ...(error.range === undefined ? {} : { range: error.range }),
      ...(dnsError === undefined ? {} : { dnsError }),
      addressRefused: blocked.length > 0,
    };
    const also =
      error.code !== 'ERR_EGRESS_ADDRESS_REFUSED' && blocked.length > 0
        ? [
            `also: ${blocked.map((a) => `${a.address} (${a.range})`).join(', ')} would be refused by the address rule, even over https`,
          ]
        : [];
    const text = [`refused: ${error.code}: ${error.message}`, `rule: ${rule}`, ...also, ...shown];
    const report = refused(error.code, error.message, data, text);
    if (error.code === 'ERR_EGRESS_DNS_FAILED') report.exitCode = 3;
    return report;
  } finally {
    await secureFetch.close();
  }
}

/** Declares the `ssrf` group: `check`. */
export function registerSsrf(program: Command, act: Act): void {
  const group = program
    .command('ssrf')
    .summary('check URLs against the egress SSRF policy (@portcullis/egress)');
  const command = group
    .command('check')
    .summary('would the egress policy let a request to URL through, and why not')
    .description(
      'Check a URL against the @portcullis/egress policy without sending anything: https only, the host allow-list, and every address the host resolves to must be globally routable (no private, loopback, link-local or cloud metadata addresses, IPv4 embedded in IPv6 included). Shows the addresses and the rule that refuses. Exit 0 allowed, 1 refused, 3 DNS failure.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  portcullis ssrf check http://169.254.169.254/latest/meta-data/\n  portcullis ssrf check https://hooks.customer.example --allow-host "*.customer.example"',
    )
    .argument('<url>', 'the URL to check')
    .option('--allow-host <pattern>', "an allowed host pattern (repeatable; default '*')", collect)
    .option(
      '--allow-address <cidr>',
      'an address range exempt from the address check (repeatable)',
      collect,
    )
    .option('--allow-loopback-http', 'admit plain http: to loopback addresses');
  addJson(command);
  command.action(act(command, ssrfCheck));
}
