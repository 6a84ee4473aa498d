import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fixed-window counts per client address (failed sign-ins, public rating requests), kept in the database: every app
 * process on one database counts together — replicas behind a proxy, an app restarted — where a counter in each
 * process's memory let each replica, and each restart, grant the whole allowance again.
 */
export class RateLimits1764400000140 implements MigrationInterface {
  name = 'RateLimits1764400000140';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rate_limit (
      scope text NOT NULL,
      key text NOT NULL,
      count integer NOT NULL,
      reset_at timestamptz NOT NULL,
      PRIMARY KEY (scope, key)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rate_limit');
  }
}
