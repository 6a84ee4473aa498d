import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Residents (petitioners). ID and phone numbers are sensitive personal data (PIPL): stored only encrypted
 * (AES-256-GCM), with a keyed hash for exact-match lookup (duplicate detection) and a masked form for lists.
 */
export class Residents1764400000002 implements MigrationInterface {
  name = 'Residents1764400000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE resident (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        compound_id uuid REFERENCES compound(id),
        address text,
        id_number_enc bytea,
        id_number_hash bytea,
        id_number_masked text,
        phone_enc bytea,
        phone_hash bytea,
        phone_masked text,
        consent_publish_name boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX resident_id_number_hash_idx ON resident (id_number_hash)');
    await q.query('CREATE INDEX resident_phone_hash_idx ON resident (phone_hash)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE resident');
  }
}
