import { BlockList, isIPv4 } from 'node:net';
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { ClientRegistry } from '../clients/app.ts';

const { Check, Prompt } = interactionPolicy;

/** The prompt shown when a level-3 app is opened from outside its networks. */
export const NETWORK_PROMPT = 'network';

const blockLists = new WeakMap<string[], BlockList>();

/** Whether `ip` (as Koa reports it, proxy-aware) is in one of the CIDR ranges. */
export const inNetworks = (ip: string, networks: string[]): boolean => {
  let list = blockLists.get(networks);
  if (!list) {
    list = new BlockList();
    for (const cidr of networks) {
      const [address, prefix] = cidr.split('/') as [string, string];
      list.addSubnet(address, Number(prefix), isIPv4(address) ? 'ipv4' : 'ipv6');
    }
    blockLists.set(networks, list);
  }
  const address = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
};

/**
 * The first prompt: a level-3 app that lists networks may be opened only from them, checked before anyone types a
 * password. The client address is Koa's `ctx.ip`, which honours `X-Forwarded-For` only behind a trusted proxy.
 */
export const networkPrompt = (clients: ClientRegistry) =>
  new Prompt(
    { name: NETWORK_PROMPT, requestable: false },
    new Check('satu_akun_network', 'the request comes from outside the networks of this app', 'access_denied', async (ctx: KoaContextWithOIDC) => {
      const app = await clients.find(ctx.oidc.client!.clientId);
      return app?.networks.length && !inNetworks(ctx.ip, app.networks) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
