import type { Knex } from 'knex';

/**
 * Registrations name the algorithm of their ID tokens (`id_token_signed_response_alg`, issue 11 §1); one that names
 * none gets RS256. Until now every app received ES256, and an app's library may insist on it, so every registration
 * stored before this migration (every version: live, under review or draft) is given ES256 explicitly. Its developer
 * sees ES256 in the portal and may propose RS256 as a change. The clients file cannot be migrated: an app there that
 * names no algorithm now receives RS256 (README, "Upgrading").
 */
export const up = async (knex: Knex): Promise<void> => {
  const rows = (await knex('app_versions').select('client_id', 'version', 'registration')) as { client_id: string; version: number; registration: string }[];
  for (const row of rows) {
    const registration = JSON.parse(row.registration) as Record<string, unknown>;
    if (registration.id_token_signed_response_alg !== undefined) continue;
    await knex('app_versions')
      .where({ client_id: row.client_id, version: row.version })
      .update({ registration: JSON.stringify({ ...registration, id_token_signed_response_alg: 'ES256' }) });
  }
};

/** Older versions read only the fields they know: the explicit ES256 does them no harm, and is kept. */
export const down = async (): Promise<void> => {};
