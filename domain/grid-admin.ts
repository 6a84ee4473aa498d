/**
 * Grids and compounds as admins keep them: the whole register (retired ones too, with how many cases name each),
 * adding, renaming, retiring and reinstating, and the record of who changed what. Nothing is deleted: cases, patrols,
 * hazards and alerts keep naming what they named.
 */
import type { Queryable } from '../platform/db';

export interface RegisterCompound {
  id: string;
  name: string;
  households: number;
  retiredAt: string | null;
}

export interface RegisterGrid {
  id: string;
  code: string;
  name: string;
  gridWorker: { username: string; displayName: string } | null;
  retiredAt: string | null;
  compounds: RegisterCompound[];
}

/**
 * Every grid by code with its grid worker and every compound by name (those in use first), retired ones included
 * (how many cases name each compound: casesPerCompound in the case repository).
 */
export async function gridRegister(db: Queryable): Promise<RegisterGrid[]> {
  return db.query<RegisterGrid>(
    `SELECT g.id, g.code, g.name, g.retired_at AS "retiredAt",
            CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('username', u.username, 'displayName', u.display_name) END AS "gridWorker",
            COALESCE((SELECT json_agg(json_build_object('id', c.id, 'name', c.name, 'households', c.households,
                                                        'retiredAt', c.retired_at)
                                      ORDER BY c.retired_at IS NOT NULL, c.name)
                      FROM compound c WHERE c.grid_id = g.id), '[]') AS compounds
       FROM grid g LEFT JOIN app_user u ON u.id = g.grid_worker_id
       ORDER BY g.code`,
  );
}

/** A grid as its checks need it, retired or not. */
export async function gridRow(
  db: Queryable,
  gridId: string,
): Promise<{ id: string; code: string; name: string; retired_at: string | null } | undefined> {
  const [row] = await db.query<{ id: string; code: string; name: string; retired_at: string | null }>(
    'SELECT id, code, name, retired_at FROM grid WHERE id = $1',
    [gridId],
  );
  return row;
}

/** A compound as its checks need it, retired or not. */
export async function compoundRow(
  db: Queryable,
  compoundId: string,
): Promise<{ id: string; grid_id: string; name: string; households: number; retired_at: string | null } | undefined> {
  const [row] = await db.query<{
    id: string;
    grid_id: string;
    name: string;
    households: number;
    retired_at: string | null;
  }>('SELECT id, grid_id, name, households, retired_at FROM compound WHERE id = $1', [compoundId]);
  return row;
}

/** The id of another grid (retired or not) with the code or the name, if there is one. */
export async function gridNamed(
  db: Queryable,
  g: { code?: string; name?: string; except?: string },
): Promise<{ id: string; code: string; name: string } | undefined> {
  const [row] = await db.query<{ id: string; code: string; name: string }>(
    `SELECT id, code, name FROM grid WHERE (lower(code) = lower($1) OR name = $2) AND id IS DISTINCT FROM $3 LIMIT 1`,
    [g.code ?? null, g.name ?? null, g.except ?? null],
  );
  return row;
}

/** Whether the grid has another compound (retired or not) of the name. */
export async function compoundNameTaken(
  db: Queryable,
  gridId: string,
  name: string,
  except: string | null,
): Promise<boolean> {
  const [row] = await db.query('SELECT 1 FROM compound WHERE grid_id = $1 AND name = $2 AND id IS DISTINCT FROM $3', [
    gridId,
    name,
    except,
  ]);
  return row !== undefined;
}

/** A new grid; its id. */
export async function insertGrid(
  db: Queryable,
  g: { code: string; name: string; gridWorkerId: string | null },
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    'INSERT INTO grid (code, name, grid_worker_id) VALUES ($1, $2, $3) RETURNING id',
    [g.code, g.name, g.gridWorkerId],
  );
  return row.id;
}

/** The grid's name and grid worker changed (undefined keeps one; a null grid worker leaves the grid without one). */
export async function updateGrid(
  db: Queryable,
  gridId: string,
  g: { name?: string; gridWorkerId?: string | null },
): Promise<void> {
  await db.query(
    `UPDATE grid SET name = COALESCE($2, name), grid_worker_id = CASE WHEN $3 THEN $4::uuid ELSE grid_worker_id END
       WHERE id = $1`,
    [gridId, g.name ?? null, g.gridWorkerId !== undefined, g.gridWorkerId ?? null],
  );
}

/** The grid retired now (`retired`), or back in use. */
export async function setGridRetired(db: Queryable, gridId: string, retired: boolean, at: string): Promise<void> {
  await db.query('UPDATE grid SET retired_at = $2 WHERE id = $1', [gridId, retired ? at : null]);
}

/** How many compounds of the grid are in use. */
export async function compoundsInUse(db: Queryable, gridId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM compound WHERE grid_id = $1 AND retired_at IS NULL',
    [gridId],
  );
  return row.n;
}

/** A new compound in the grid; its id. */
export async function insertCompound(
  db: Queryable,
  c: { gridId: string; name: string; households: number },
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    'INSERT INTO compound (grid_id, name, households) VALUES ($1, $2, $3) RETURNING id',
    [c.gridId, c.name, c.households],
  );
  return row.id;
}

/** The compound's name and households changed (undefined keeps one). */
export async function updateCompound(
  db: Queryable,
  compoundId: string,
  c: { name?: string; households?: number },
): Promise<void> {
  await db.query('UPDATE compound SET name = COALESCE($2, name), households = COALESCE($3, households) WHERE id = $1', [
    compoundId,
    c.name ?? null,
    c.households ?? null,
  ]);
}

/** The compound retired now (`retired`), or back in use. */
export async function setCompoundRetired(
  db: Queryable,
  compoundId: string,
  retired: boolean,
  at: string,
): Promise<void> {
  await db.query('UPDATE compound SET retired_at = $2 WHERE id = $1', [compoundId, retired ? at : null]);
}

export type GridChangeAction = 'add' | 'change' | 'retire' | 'reinstate';

/** Keeps who changed a grid or compound, when, and what it was and became. */
export async function logGridChange(
  db: Queryable,
  c: {
    actorId: string;
    kind: 'grid' | 'compound';
    targetId: string;
    action: GridChangeAction;
    detail: object;
    at: string;
  },
): Promise<void> {
  await db.query(
    'INSERT INTO grid_change (at, actor_id, kind, target_id, action, detail) VALUES ($1, $2, $3, $4, $5, $6)',
    [c.at, c.actorId, c.kind, c.targetId, c.action, JSON.stringify(c.detail)],
  );
}

/** The latest changes to grids and compounds (newest first), with who made them. */
export async function gridChanges(db: Queryable, limit = 50): Promise<Record<string, unknown>[]> {
  return db.query(
    `SELECT ch.at, ch.kind, ch.target_id AS "targetId", ch.action, ch.detail,
            u.username AS actor, u.display_name AS "actorName"
       FROM grid_change ch LEFT JOIN app_user u ON u.id = ch.actor_id
       ORDER BY ch.at DESC, ch.id DESC LIMIT $1`,
    [limit],
  );
}

/** The active user with the username and the grid-worker role, if there is one. */
export async function gridWorkerByUsername(db: Queryable, username: string): Promise<{ id: string } | undefined> {
  const [row] = await db.query<{ id: string }>(
    `SELECT u.id FROM app_user u JOIN user_role r ON r.user_id = u.id AND r.role_id = 'grid-worker'
       WHERE u.username = $1 AND u.active`,
    [username],
  );
  return row;
}
