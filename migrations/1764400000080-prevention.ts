import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prevention: grid workers' patrol log and hazard records (four categories; mediated on the spot, or reported —
 * a reported hazard becomes a petition the same day), quarterly campaigns with their household coverage, a log of
 * who read personal data in full, accusation material kept from the accused, and petitions' attachments.
 */
export class Prevention1764400000080 implements MigrationInterface {
  name = 'Prevention1764400000080';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE patrol_log (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        grid_id uuid NOT NULL REFERENCES grid(id),
        worker_id uuid NOT NULL REFERENCES app_user(id),
        patrolled_on date NOT NULL,
        households_visited integer NOT NULL DEFAULT 0 CHECK (households_visited >= 0),
        notes text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX patrol_log_grid_idx ON patrol_log (grid_id, patrolled_on)');
    await q.query(`
      CREATE TABLE hazard_record (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        grid_id uuid NOT NULL REFERENCES grid(id),
        compound_id uuid REFERENCES compound(id),
        reported_by uuid NOT NULL REFERENCES app_user(id),
        found_at timestamptz NOT NULL,
        category text NOT NULL CHECK (category IN ('neighbour-relations', 'property-management', 'family-conflict', 'policy-implementation')),
        description text NOT NULL,
        disposition text NOT NULL CHECK (disposition IN ('mediated', 'reported')),
        outcome text,
        case_id uuid REFERENCES petition_case(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX hazard_record_grid_idx ON hazard_record (grid_id, found_at)');
    await q.query(`
      CREATE TABLE campaign (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        quarter text NOT NULL UNIQUE CHECK (quarter ~ '^\\d{4}-Q[1-4]$'),
        theme text NOT NULL,
        team text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE campaign_coverage (
        campaign_id uuid NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
        compound_id uuid NOT NULL REFERENCES compound(id),
        households_visited integer NOT NULL CHECK (households_visited >= 0),
        conflicts_found integer NOT NULL DEFAULT 0 CHECK (conflicts_found >= 0),
        conflicts_resolved integer NOT NULL DEFAULT 0 CHECK (conflicts_resolved >= 0),
        PRIMARY KEY (campaign_id, compound_id)
      )`);
    await q.query(`
      CREATE TABLE pii_access_log (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user(id),
        resident_id uuid NOT NULL REFERENCES resident(id),
        case_id uuid REFERENCES petition_case(id),
        fields text[] NOT NULL,
        purpose text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('ALTER TABLE petition_case ADD COLUMN accusation boolean NOT NULL DEFAULT false');
    await q.query('ALTER TABLE petition_case ADD COLUMN accused_user_id uuid REFERENCES app_user(id)');
    await q.query(`
      CREATE TABLE case_attachment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES petition_case(id) ON DELETE CASCADE,
        file_name text NOT NULL,
        media_type text NOT NULL,
        size_bytes integer NOT NULL,
        sha256 text NOT NULL,
        uploaded_by uuid NOT NULL REFERENCES app_user(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE case_attachment');
    await q.query('ALTER TABLE petition_case DROP COLUMN accused_user_id');
    await q.query('ALTER TABLE petition_case DROP COLUMN accusation');
    for (const table of ['pii_access_log', 'campaign_coverage', 'campaign', 'hazard_record', 'patrol_log'])
      await q.query(`DROP TABLE ${table}`);
  }
}
