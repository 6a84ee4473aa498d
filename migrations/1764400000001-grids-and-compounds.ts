import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The community's grids (one grid worker each) and the residential compounds in them. */
export class GridsAndCompounds1764400000001 implements MigrationInterface {
  name = 'GridsAndCompounds1764400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE grid (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        grid_worker_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE compound (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        grid_id uuid NOT NULL REFERENCES grid(id),
        name text NOT NULL,
        households integer NOT NULL DEFAULT 0 CHECK (households >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (grid_id, name)
      )`);
    await q.query('CREATE INDEX compound_grid_idx ON compound (grid_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE compound');
    await q.query('DROP TABLE grid');
  }
}
