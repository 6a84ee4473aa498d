import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Petition cases: the registration the law requires, the owner (first responder) and both clocks. */
export class Cases1764400000003 implements MigrationInterface {
  name = 'Cases1764400000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE petition_case (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_no text NOT NULL UNIQUE,
        channel text NOT NULL CHECK (channel IN ('walk-in', 'phone', 'hotline-12345', 'wechat', 'grid-report')),
        category text NOT NULL,
        description text NOT NULL,
        resident_id uuid REFERENCES resident(id),
        compound_id uuid REFERENCES compound(id),
        first_responder_id uuid NOT NULL REFERENCES app_user(id),
        case_class text CHECK (case_class IN ('simple', 'complex', 'difficult')),
        is_key_matter boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'registered'
          CHECK (status IN ('registered', 'handling', 'feedback', 'rating', 'second-handling', 'escalated', 'closed')),
        handling_round integer NOT NULL DEFAULT 1,
        duplicate_of uuid REFERENCES petition_case(id),
        process_instance_key text,
        received_at timestamptz NOT NULL DEFAULT now(),
        sla_due_at timestamptz,
        legal_due_at timestamptz,
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX petition_case_status_idx ON petition_case (status)');
    await q.query('CREATE INDEX petition_case_resident_idx ON petition_case (resident_id)');
    await q.query('CREATE INDEX petition_case_first_responder_idx ON petition_case (first_responder_id)');
    await q.query(
      'CREATE INDEX petition_case_compound_category_idx ON petition_case (compound_id, category, received_at)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE petition_case');
  }
}
