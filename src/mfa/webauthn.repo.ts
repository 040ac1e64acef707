import type { Knex } from 'knex';

export interface PasskeyRow {
  id: string;
  sub: string;
  publicKey: string;
  counter: number;
  transports: string[];
  name: string;
}

interface Row {
  id: string;
  sub: string;
  public_key: string;
  counter: number | string;
  transports: string;
  name: string;
}

const toPasskey = (r: Row): PasskeyRow => ({
  id: r.id,
  sub: r.sub,
  publicKey: r.public_key,
  counter: Number(r.counter),
  transports: r.transports ? r.transports.split(' ') : [],
  name: r.name,
});

/** SQL for WebAuthn credentials. */
export const createWebauthnRepo = (knex: Knex) => ({
  async list(sub: string): Promise<PasskeyRow[]> {
    return ((await knex('webauthn_credentials').where({ sub }).orderBy('created_at')) as Row[]).map(toPasskey);
  },

  async insert(p: PasskeyRow, at: Date, db: Knex = knex): Promise<void> {
    await db('webauthn_credentials').insert({ id: p.id, sub: p.sub, public_key: p.publicKey, counter: p.counter, transports: p.transports.join(' '), name: p.name, created_at: at.toISOString() });
  },

  /** Records a use; the counter only moves forward (a clone replaying an old counter loses the race). */
  async used(id: string, counter: number, at: Date, db: Knex = knex): Promise<boolean> {
    const changed = await db('webauthn_credentials')
      .where({ id })
      .andWhere((q) => q.where('counter', '<', counter).orWhere('counter', 0))
      .update({ counter, last_used_at: at.toISOString() });
    return changed === 1;
  },
});
