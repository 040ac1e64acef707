import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrationSource } from '../../migrations/source.ts';
import { onEachDatabase } from '../support/databases.ts';
import { migrate } from '../../src/db/knex.ts';

const MIGRATION = '013_signing_alg.ts';
const at = new Date('2026-04-01T03:00:00Z').toISOString();

/** A stored registration (JSON as the apps repository writes it), with or without an algorithm. */
const stored = (extra: Record<string, unknown> = {}) => JSON.stringify({ name: 'Sistem Informasi Puskesmas', token_endpoint_auth_method: 'client_secret_basic', ...extra });

const algOf = async (knex: Knex, clientId: string, version: number) => {
  const row = (await knex('app_versions').where({ client_id: clientId, version }).first()) as { registration: string };
  return (JSON.parse(row.registration) as { id_token_signed_response_alg?: string }).id_token_signed_response_alg;
};

/**
 * Existing registrations were told ES256 (the only algorithm before issue 11): the migration says so explicitly in
 * each of their versions, so the new default (RS256) does not change what a live app receives.
 */
const migration = (getKnex: () => Knex) => {
  it('gives every registration stored before it ES256, and leaves one that names an algorithm as it is', async () => {
    const knex = getKnex();
    const files = await migrationSource.getMigrations([]);
    for (const _ of files.slice(0, files.indexOf(MIGRATION))) await knex.migrate.up({ migrationSource });
    const app = (clientId: string, status: string, liveVersion: number | null) => ({
      client_id: clientId, agency: 'DINKES', status, source: 'portal', owner_sub: 'sub-dewi', live_version: liveVersion, created_at: at, updated_at: at,
    });
    await knex('apps').insert([app('puskesmas', 'active', 1), app('draf', 'draft', null)]);
    const version = (clientId: string, v: number, state: string, registration: string) => ({ client_id: clientId, version: v, state, registration, created_by: 'sub-dewi', created_at: at });
    await knex('app_versions').insert([
      version('puskesmas', 1, 'approved', stored()),
      version('puskesmas', 2, 'submitted', stored({ name: 'Sistem Informasi Puskesmas v2' })),
      version('draf', 1, 'draft', stored({ id_token_signed_response_alg: 'RS256' })),
    ]);

    await knex.migrate.up({ migrationSource });

    expect(await algOf(knex, 'puskesmas', 1), 'the live version').to.equal('ES256');
    expect(await algOf(knex, 'puskesmas', 2), 'the change under review').to.equal('ES256');
    expect(await algOf(knex, 'draf', 1), 'a registration that chose').to.equal('RS256');
    const row = (await knex('app_versions').where({ client_id: 'puskesmas', version: 2 }).first()) as { registration: string };
    expect(JSON.parse(row.registration)).to.deep.include({ name: 'Sistem Informasi Puskesmas v2', token_endpoint_auth_method: 'client_secret_basic' });
    expect(await migrate(knex)).to.not.include(MIGRATION);
  });
};

describe('migration 013: the ID-token algorithm of existing registrations', () => {
  onEachDatabase(migration);
});
