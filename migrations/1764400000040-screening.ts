import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What intake screening keeps: early-warning rules (admins edit them) and the alerts they raised, each alert with
 * the cases that tripped it; and how a key person came into the registry and which care process runs for them.
 * The plan's example rule — three complaints of one category in one compound within 30 days — is the default.
 */
export class Screening1764400000040 implements MigrationInterface {
  name = 'Screening1764400000040';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE early_warning_rule (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        category text,
        scope text NOT NULL DEFAULT 'compound' CHECK (scope IN ('compound', 'grid')),
        compound_id uuid REFERENCES compound(id),
        window_days integer NOT NULL CHECK (window_days BETWEEN 1 AND 366),
        threshold integer NOT NULL CHECK (threshold BETWEEN 2 AND 1000),
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE early_warning_alert (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rule_id uuid NOT NULL REFERENCES early_warning_rule(id),
        place_kind text NOT NULL CHECK (place_kind IN ('compound', 'grid')),
        place_id uuid NOT NULL,
        category text NOT NULL,
        raised_by_case_id uuid NOT NULL REFERENCES petition_case(id),
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handling', 'closed')),
        process_instance_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz
      )`);
    await q.query(
      'CREATE INDEX early_warning_alert_place_idx ON early_warning_alert (rule_id, place_id, category, window_end)',
    );
    await q.query(`
      CREATE TABLE early_warning_alert_case (
        alert_id uuid NOT NULL REFERENCES early_warning_alert(id) ON DELETE CASCADE,
        case_id uuid NOT NULL REFERENCES petition_case(id) ON DELETE CASCADE,
        PRIMARY KEY (alert_id, case_id)
      )`);
    await q.query(`
      INSERT INTO early_warning_rule (name, category, scope, window_days, threshold)
      VALUES ('同一小区同类投诉30天内3次', NULL, 'compound', 30, 3)`);
    await q.query('ALTER TABLE key_person ADD COLUMN process_instance_key text');
    await q.query('ALTER TABLE key_person ADD COLUMN entry_case_id uuid REFERENCES petition_case(id)');
    await q.query('ALTER TABLE petition_case ADD COLUMN key_person_id uuid REFERENCES key_person(id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE petition_case DROP COLUMN key_person_id');
    await q.query('ALTER TABLE key_person DROP COLUMN entry_case_id');
    await q.query('ALTER TABLE key_person DROP COLUMN process_instance_key');
    for (const table of ['early_warning_alert_case', 'early_warning_alert', 'early_warning_rule'])
      await q.query(`DROP TABLE ${table}`);
  }
}
