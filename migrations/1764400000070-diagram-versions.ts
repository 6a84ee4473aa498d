import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Versions of the models admins save from the web modeler, and which of them was deployed when. */
export class DiagramVersions1764400000070 implements MigrationInterface {
  name = 'DiagramVersions1764400000070';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE diagram_version (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        resource_name text NOT NULL CHECK (resource_name ~ '^[a-z0-9][a-z0-9-]{0,80}\\.(bpmn|dmn|form)$'),
        version integer NOT NULL,
        content text NOT NULL,
        comment text,
        saved_by text NOT NULL,
        saved_at timestamptz NOT NULL DEFAULT now(),
        error_count integer NOT NULL DEFAULT 0,
        deployed_at timestamptz,
        deployment_key text,
        UNIQUE (resource_name, version)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE diagram_version');
  }
}
