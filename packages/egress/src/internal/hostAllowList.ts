import { invalidArgument } from '@portcullis/core';
import { classifyAddress } from '../address/classifyAddress.ts';

/** A compiled `allowHosts` list: answers "may this host and port be called?" */
export interface HostAllowList {
  /** `port` is the URL's port; `defaultPort` whether the URL left it out (or gave the scheme's). */
  allows(hostname: string, port: number, defaultPort: boolean): boolean;
}

/** `'*'` (any port) or the one port allowed; `undefined` means the scheme's default port. */
type PortRule = number | '*' | undefined;

interface Entry {
  /** Exact host, or the suffix (`.example.com`) of a wildcard, or '' for "any host". */
  host: string;
  wildcard: boolean;
  port: PortRule;
}

function canonicalHost(host: string): string {
  const lower = host.toLowerCase().replace(/\.$/, '');
  const ip = classifyAddress(lower);
  if (ip !== undefined) return ip.address;
  // Punycode and the rest of the WHATWG host rules, as `fetch` will apply them to request URLs.
  try {
    return new URL(`https://${lower}/`).hostname;
  } catch {
    return '';
  }
}

function parseEntry(raw: unknown, path: string): Entry {
  if (typeof raw !== 'string') throw invalidArgument(path, 'a host pattern string');
  let text = raw.trim();
  let port: PortRule;
  const portMatch = /^(.*[^:]):(\*|\d{1,5})$/.exec(text);
  // `::1` has colons but no port; `[::1]:8443` and `host:8443` have one.
  if (portMatch !== null && (!text.includes('::') || text.startsWith('['))) {
    text = portMatch[1] as string;
    port = portMatch[2] === '*' ? '*' : Number(portMatch[2]);
    if (port !== '*' && (port < 1 || port > 65535)) {
      throw invalidArgument(path, 'a host pattern with a port between 1 and 65535', 'value');
    }
  }
  const what = "a host pattern ('api.example.com', '*.example.com', '[::1]:8443', '*')";
  if (text === '*') return { host: '', wildcard: true, port };
  if (text.startsWith('*.')) {
    const suffix = canonicalHost(text.slice(2));
    if (suffix === '' || classifyAddress(suffix) !== undefined) {
      throw invalidArgument(path, what, 'value');
    }
    return { host: `.${suffix}`, wildcard: true, port };
  }
  if (text.includes('*')) throw invalidArgument(path, what, 'value');
  const host = canonicalHost(text);
  if (host === '') throw invalidArgument(path, what, 'value');
  return { host, wildcard: false, port };
}

function portMatches(rule: PortRule, port: number, defaultPort: boolean): boolean {
  return rule === '*' || (rule === undefined ? defaultPort : rule === port);
}

/**
 * Compiles `allowHosts`. An entry is an exact host (`api.example.com`, an IP literal in any
 * notation, `[::1]`), a wildcard `*.example.com` (any depth of subdomain, not `example.com`
 * itself) or `*` (any host); each optionally followed by `:port` or `:*`. Without a port an entry
 * allows only the scheme's default port (443, or 80 for loopback `http:`).
 */
export function compileHostAllowList(value: unknown, path: string): HostAllowList {
  if (!Array.isArray(value)) throw invalidArgument(path, 'an array of host patterns');
  if (value.length === 0)
    throw invalidArgument(path, 'a non-empty array of host patterns', 'value');
  const exact = new Map<string, PortRule[]>();
  const wildcards: Entry[] = [];
  value.forEach((raw, i) => {
    const entry = parseEntry(raw, `${path}[${i}]`);
    if (entry.wildcard) wildcards.push(entry);
    else exact.set(entry.host, [...(exact.get(entry.host) ?? []), entry.port]);
  });
  return {
    allows(hostname, port, defaultPort) {
      // `hostname` comes from a parsed URL: lower case, punycode, IPv6 in brackets.
      const host = hostname.startsWith('[')
        ? (classifyAddress(hostname)?.address ?? hostname)
        : hostname.endsWith('.')
          ? hostname.slice(0, -1)
          : hostname;
      const rules = exact.get(host);
      if (rules?.some((r) => portMatches(r, port, defaultPort))) return true;
      for (const w of wildcards) {
        if ((w.host === '' || host.endsWith(w.host)) && portMatches(w.port, port, defaultPort)) {
          return true;
        }
      }
      return false;
    },
  };
}
