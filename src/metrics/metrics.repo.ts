import type { Knex } from 'knex';

/** The one query a scrape makes: notifications not sent yet (sent ones keep `sent_at`). */
export const createMetricsRepo = (knex: Knex) => ({
  async outboxPending(): Promise<number> {
    const row = await knex('outbox').whereNull('sent_at').count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  },
});

export type MetricsRepo = ReturnType<typeof createMetricsRepo>;
