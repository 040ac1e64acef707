import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config/schema.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import { bilingual } from '../i18n/index.ts';
import { keyFileContent, retentionMs, type KeyState, type Lifecycle } from '../oidc/key-lifecycle.ts';
import { GENERABLE_ALGS, inspectKeys, newKey, writeKeyFile } from '../oidc/keys.ts';

/** Exit codes of `satu-akun keys`: done; refused (the key's state does not allow it); configuration problems; usage. */
export const KEYS_EXIT = { ok: 0, refused: 1, config: 2, usage: 64 } as const;

/**
 * How long a new key is published before `keys activate` accepts it without `--force`: apps cache the JWKS (Apache
 * mod_auth_openidc for an hour by default, others for a day), and a token signed by a key an app has not fetched yet
 * fails there until its cache expires.
 */
export const PUBLISH_WAIT_MS = 24 * 3600_000;

const iso = (d: Date) => d.toISOString();
const day = (at?: string) => (at ? `${at.slice(0, 16).replace('T', ' ')} UTC` : '—');

/** A key's lifecycle as its file will hold it; a key written by hand gets one from its file's modification time. */
const lifeOf = (key: KeyState): Lifecycle => key.life ?? { status: key.use === 'signs' ? 'active' : 'published', created_at: iso(key.file ? statSync(key.file).mtime : new Date(0)) };

const save = (key: KeyState, life: Lifecycle) => writeKeyFile(key.file!, keyFileContent({ jwk: key.jwk, life }));

const describe = (k: KeyState): string => {
  if (k.use === 'signs') return bilingual('keys.use.signs', { since: day(k.life?.activated_at ?? k.life?.created_at) });
  if (k.use === 'unpublished') return bilingual('keys.use.unpublished', { since: day(k.life?.published_until) });
  if (k.life?.status === 'retired') return bilingual('keys.use.retired', { until: day(k.life.published_until) });
  return bilingual('keys.use.published', { since: day(k.life?.created_at) });
};

const list = (states: KeyState[]) => {
  if (!states.length) console.log(bilingual('keys.none'));
  for (const k of states) console.log(`${k.alg.padEnd(6)} ${k.kid}  ${describe(k)}${k.file ? `\n       ${k.file}` : ''}`);
};

/** The keys directory's keys, or the reason they cannot be changed by this command. */
const editable = (config: Config, states: KeyState[], kid: string): KeyState | string => {
  if (config.signingKeys) return bilingual('keys.from_env');
  const key = states.find((k) => k.kid === kid);
  return key ?? bilingual('keys.unknown', { kid });
};

/**
 * `satu-akun keys list|generate|activate|retire`: rotation without downtime, in the keys directory. A new key is
 * published before it signs (`generate`, restart every instance, wait, `activate`, restart again); the key it replaces
 * is retired and stays published until what it signed has expired, then leaves the JWKS by itself.
 */
export const runKeys = async (argv: string[], env: NodeJS.ProcessEnv = process.env, now = new Date()): Promise<number> => {
  let parsed;
  try {
    // A kid (a base64url thumbprint, 43 characters) may begin with '-', which would read as an option: it goes after
    // the `--` that ends the options.
    const isKid = (arg: string) => /^-[\w-]{42}$/.test(arg);
    const args = [...argv.filter((a) => !isKid(a)), '--', ...argv.filter(isKid)];
    parsed = parseArgs({ args, allowPositionals: true, options: { alg: { type: 'string' }, force: { type: 'boolean', default: false }, now: { type: 'boolean', default: false } } });
  } catch (err) {
    console.error(`${(err as Error).message}\n${bilingual('keys.usage')}`);
    return KEYS_EXIT.usage;
  }
  const [action, kid] = parsed.positionals;
  const { values } = parsed;
  let config: Config;
  try {
    config = loadConfig(env);
    const { states, problems } = await inspectKeys(config, now);
    if (action === 'list' && !kid) {
      list(states);
      for (const p of problems) console.error(p);
      return problems.length ? KEYS_EXIT.config : KEYS_EXIT.ok;
    }

    if (action === 'generate' && !kid) {
      const alg = GENERABLE_ALGS.find((a) => a === values.alg);
      if (!alg) return (console.error(bilingual('keys.usage')), KEYS_EXIT.usage);
      if (config.signingKeys) return (console.error(bilingual('keys.from_env')), KEYS_EXIT.refused);
      const jwk = await newKey(alg);
      // The first key of its algorithm signs at once: there is nothing to replace and no app holds an older JWKS.
      const first = !states.some((k) => k.alg === alg && k.use === 'signs');
      const life: Lifecycle = first ? { status: 'active', created_at: iso(now), activated_at: iso(now) } : { status: 'published', created_at: iso(now) };
      mkdirSync(config.keysDir, { recursive: true, mode: 0o700 });
      const file = join(config.keysDir, `${iso(now).slice(0, 10)}-${alg.toLowerCase()}-${jwk.kid!.slice(0, 8)}.jwk.json`);
      writeKeyFile(file, keyFileContent({ jwk, life }));
      console.log(bilingual(first ? 'keys.generated_active' : 'keys.generated', { alg, kid: jwk.kid!, file }));
      return KEYS_EXIT.ok;
    }

    if ((action === 'activate' || action === 'retire') && kid) {
      const key = editable(config, states, kid);
      if (typeof key === 'string') return (console.error(key), KEYS_EXIT.refused);
      if (action === 'activate') return activate(config, states, key, values.force, now);
      return retire(config, key, values.now, now);
    }
    console.error(bilingual('keys.usage'));
    return KEYS_EXIT.usage;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return KEYS_EXIT.config;
  }
};

/** Makes `key` sign for its algorithm; the key that signed until now is retired and stays published. */
const activate = (config: Config, states: KeyState[], key: KeyState, force: boolean, now: Date): number => {
  if (key.use === 'signs') return (console.log(bilingual('keys.already_active', { kid: key.kid })), KEYS_EXIT.ok);
  const life = lifeOf(key);
  if (life.status === 'retired') return (console.error(bilingual('keys.retired_cannot_sign', { kid: key.kid })), KEYS_EXIT.refused);
  const publishedFor = now.getTime() - Date.parse(life.created_at);
  if (publishedFor < PUBLISH_WAIT_MS && !force) {
    console.error(bilingual('keys.too_new', { kid: key.kid, hours: String(Math.floor(publishedFor / 3600_000)), wait: String(PUBLISH_WAIT_MS / 3600_000) }));
    return KEYS_EXIT.refused;
  }
  const previous = states.find((k) => k.alg === key.alg && k.use === 'signs');
  if (previous?.file) save(previous, { ...lifeOf(previous), status: 'retired', retired_at: iso(now), published_until: iso(new Date(now.getTime() + retentionMs(config))) });
  save(key, { ...life, status: 'active', activated_at: iso(now) });
  console.log(bilingual('keys.activated', { kid: key.kid, previous: previous?.kid ?? '—', until: day(iso(new Date(now.getTime() + retentionMs(config)))) }));
  return KEYS_EXIT.ok;
};

/**
 * Stops publishing `key`: a key published but never used, or a retired one sooner than planned. `--now` takes it out
 * of the JWKS at the next start, so tokens it signed stop verifying: what a leaked key needs. The signing key is
 * replaced with `activate`, never retired alone.
 */
const retire = (config: Config, key: KeyState, immediately: boolean, now: Date): number => {
  if (key.use === 'signs') return (console.error(bilingual('keys.retire_signing', { kid: key.kid, alg: key.alg })), KEYS_EXIT.refused);
  const life = lifeOf(key);
  // A key that never signed has nothing to verify: it leaves the JWKS at once.
  const until = immediately || !life.activated_at ? now : new Date(Math.min(now.getTime() + retentionMs(config), Date.parse(life.published_until ?? '9999-12-31T00:00:00Z')));
  save(key, { ...life, status: 'retired', retired_at: life.retired_at ?? iso(now), published_until: iso(until) });
  console.log(bilingual('keys.retired', { kid: key.kid, until: day(iso(until)) }));
  return KEYS_EXIT.ok;
};
