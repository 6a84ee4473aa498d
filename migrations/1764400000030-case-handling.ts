import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the handling workers record: the case's timeline, its ratings per round, one-time rating links, the notice
 * board (dual feedback), and the key-person registry with its service teams and conversions.
 */
export class CaseHandling1764400000030 implements MigrationInterface {
  name = 'CaseHandling1764400000030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE case_event (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES petition_case(id) ON DELETE CASCADE,
        kind text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        actor text,
        job_key text UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX case_event_case_idx ON case_event (case_id, created_at)');
    await q.query(`
      CREATE TABLE case_rating (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES petition_case(id) ON DELETE CASCADE,
        round integer NOT NULL,
        rating text NOT NULL CHECK (rating IN ('satisfied', 'basically-satisfied', 'dissatisfied')),
        comment text,
        source text NOT NULL CHECK (source IN ('link', 'phone-callback', 'staff')),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (case_id, round)
      )`);
    await q.query(`
      CREATE TABLE rating_link (
        token_hash bytea PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES petition_case(id) ON DELETE CASCADE,
        round integer NOT NULL,
        job_key text NOT NULL UNIQUE,
        token_enc bytea NOT NULL,
        sent_at timestamptz,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE notice_board (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES petition_case(id) ON DELETE CASCADE,
        round integer NOT NULL,
        case_no text NOT NULL,
        category text NOT NULL,
        compound_name text,
        outcome text NOT NULL,
        petitioner_masked text,
        published_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (case_id, round)
      )`);
    await q.query(`
      CREATE TABLE key_person (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        resident_id uuid NOT NULL REFERENCES resident(id),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'exited')),
        reason text NOT NULL,
        team_cadre_id uuid REFERENCES app_user(id),
        team_volunteer text,
        team_professional text,
        conversion_role text CHECK (conversion_role IN ('volunteer', 'residents-council', 'mediation-committee')),
        converted_at timestamptz,
        entered_at timestamptz NOT NULL DEFAULT now(),
        exited_at timestamptz
      )`);
    await q.query("CREATE UNIQUE INDEX key_person_active_idx ON key_person (resident_id) WHERE status = 'active'");
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['key_person', 'notice_board', 'rating_link', 'case_rating', 'case_event'])
      await q.query(`DROP TABLE ${table}`);
  }
}
