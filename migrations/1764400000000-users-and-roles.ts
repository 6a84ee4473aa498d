import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Staff accounts and the roles of DOMAIN.md; a role id doubles as the engine's candidate group. */
export class UsersAndRoles1764400000000 implements MigrationInterface {
  name = 'UsersAndRoles1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE role (
        id text PRIMARY KEY,
        name_zh text NOT NULL,
        name_en text NOT NULL
      )`);
    await q.query(`
      INSERT INTO role (id, name_zh, name_en) VALUES
        ('admin', '系统管理员', 'System administrator'),
        ('reception', '接访人员', 'Reception'),
        ('cadre', '社区干部', 'Community cadre'),
        ('secretary', '社区书记', 'Party secretary'),
        ('grid-worker', '网格员', 'Grid worker'),
        ('street-office', '街道信访办', 'Street office petition office'),
        ('member', '1+X 成员', 'Working group member'),
        ('leader', '分管负责人', 'Leader in charge')`);
    await q.query(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
        display_name text NOT NULL,
        password_hash text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        failed_logins integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE user_role (
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        role_id text NOT NULL REFERENCES role(id),
        PRIMARY KEY (user_id, role_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE user_role');
    await q.query('DROP TABLE app_user');
    await q.query('DROP TABLE role');
  }
}
