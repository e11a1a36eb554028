import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecureFetch, isEgressError } from '@portcullis/egress';

/**
 * An outbound webhook whose URL a customer typed: any host is allowed, but the address checks
 * refuse the cloud metadata address in every form, a name that resolves to it, and a customer
 * endpoint that redirects there. A real delivery to an allowed endpoint goes through.
 */
export async function egressScene(say: (line: string) => void): Promise<void> {
  // A "customer" endpoint on loopback: /hook accepts, /moved redirects to the metadata address.
  const server = createServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    } else res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const customer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const webhookFetch = createSecureFetch({
    allowHosts: ['*:*'], // customer URLs: any name; the address checks do the work
    // The demo's customer server lives on loopback: exempt that one address (never in production).
    allowAddresses: ['127.0.0.1'],
    allowLoopbackHttp: true,
    maxRedirects: 2,
    // Stands in for DNS: the attacker's name answers the metadata address.
    resolver: async (name) => [
      { address: name === 'hooks.attacker.example' ? '169.254.169.254' : '127.0.0.1' },
    ],
  });
  const attempt = async (label: string, url: string): Promise<void> => {
    try {
      const response = await webhookFetch(url, { method: 'POST', body: '{"type":"invoice.paid"}' });
      say(`${label}: delivered (${response.status})`);
    } catch (error) {
      if (!isEgressError(error)) throw error;
      const where = error.hop ? ` at redirect ${error.hop}` : '';
      say(`${label}: refused ${error.code}${error.range ? ` (${error.range})` : ''}${where}`);
    }
  };
  try {
    await attempt(
      'https://169.254.169.254/latest/meta-data/       ',
      'https://169.254.169.254/latest/meta-data/',
    );
    await attempt('https://0xa9fea9fe/ (hex notation)              ', 'https://0xa9fea9fe/');
    await attempt(
      'https://[::ffff:a9fe:a9fe]/ (IPv4-mapped IPv6)  ',
      'https://[::ffff:a9fe:a9fe]/',
    );
    await attempt(
      'https://[64:ff9b::a9fe:a9fe]/ (NAT64)           ',
      'https://[64:ff9b::a9fe:a9fe]/',
    );
    await attempt('https://[fd00:ec2::254]/ (AWS IMDS over IPv6)   ', 'https://[fd00:ec2::254]/');
    await attempt(
      'https://hooks.attacker.example/ (DNS → metadata)',
      'https://hooks.attacker.example/',
    );
    await attempt('customer endpoint that redirects to metadata    ', `${customer}/moved`);
    await attempt('customer endpoint, honest                       ', `${customer}/hook`);
  } finally {
    await webhookFetch.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
