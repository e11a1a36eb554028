// Demo scene for @portcullis/egress: an outbound webhook whose URL a customer typed. Any host is
// allowed, but the address checks refuse the cloud metadata address in every notation, a name
// that resolves to it, and a customer endpoint that redirects there. An honest delivery goes through.
import { createSecureFetch, isEgressError } from '@portcullis/egress';
import { serve } from '../peers/http.ts';
import type { Scene } from '../scene.ts';

export const egressScene: Scene = {
  name: 'egress',
  title: '@portcullis/egress: webhook URLs aimed at the cloud metadata address',
  async run({ say, record }) {
    // A "customer" endpoint on loopback: /hook accepts, /moved redirects to the metadata address.
    const customer = await serve((req, res) => {
      if (req.url === '/moved') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else res.writeHead(204).end();
    });
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
    const attempt = async (url: string): Promise<{ refused: boolean; text: string }> => {
      try {
        const response = await webhookFetch(url, {
          method: 'POST',
          body: '{"type":"invoice.paid"}',
        });
        await response.body?.cancel();
        return { refused: false, text: `delivered (${response.status})` };
      } catch (error) {
        if (!isEgressError(error)) throw error;
        const range = error.range ? ` (${error.range})` : '';
        const hop = error.hop ? ` at redirect ${error.hop}` : '';
        return { refused: true, text: `refused ${error.code}${range}${hop}` };
      }
    };
    try {
      for (const [what, url] of [
        ['literal address', 'https://169.254.169.254/latest/meta-data/'],
        ['hex notation', 'https://0xa9fea9fe/'],
        ['IPv4-mapped IPv6', 'https://[::ffff:a9fe:a9fe]/'],
        ['NAT64', 'https://[64:ff9b::a9fe:a9fe]/'],
        ['AWS IMDS over IPv6', 'https://[fd00:ec2::254]/'],
        ['a name resolving to it', 'https://hooks.attacker.example/'],
        ['a redirect from a customer endpoint', `${customer.url}/moved`],
      ] as const) {
        const { refused, text } = await attempt(url);
        record({
          scenario: `webhook URL at the cloud metadata address (${what})`,
          happened: `${url.startsWith(customer.url) ? '/moved → 169.254.169.254' : url} ${text}`,
          stoppedBy: '@portcullis/egress',
          held: refused,
        });
      }
      say(`an honest customer endpoint: ${(await attempt(`${customer.url}/hook`)).text}`);
    } finally {
      await webhookFetch.close();
      await customer.close();
    }
  },
};
