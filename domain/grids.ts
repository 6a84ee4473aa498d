/**
 * Grids (网格) and their compounds (小区) as the routes and workers look them up: a grid by id, the grids a grid worker
 * patrols, whether a compound exists or lies in a grid, and its households and name. A retired grid or compound
 * (`retired_at`) stays for the cases, patrols and hazards that name it, but is offered and accepted for nothing new.
 * Admins keep them (grids-admin.ts).
 */
import type { Queryable } from '../platform/db';

/** The grid's id, if there is such a grid in use. */
export async function findGrid(db: Queryable, gridId: string): Promise<{ id: string } | undefined> {
  const [grid] = await db.query<{ id: string }>('SELECT id FROM grid WHERE id = $1 AND retired_at IS NULL', [gridId]);
  return grid;
}

/** The first grid in use (by code) the user is the grid worker of, if any. */
export async function firstGridOfWorker(db: Queryable, userId: string): Promise<{ id: string } | undefined> {
  const [own] = await db.query<{ id: string }>(
    'SELECT id FROM grid WHERE grid_worker_id = $1 AND retired_at IS NULL ORDER BY code LIMIT 1',
    [userId],
  );
  return own;
}

/** The ids of the grids the user is the grid worker of. */
export async function gridsOfWorker(db: Queryable, userId: string): Promise<string[]> {
  return (await db.query<{ id: string }>('SELECT id FROM grid WHERE grid_worker_id = $1', [userId])).map((g) => g.id);
}

/** Whether the compound lies in the grid and is in use. */
export async function compoundInGrid(db: Queryable, compoundId: string, gridId: string): Promise<boolean> {
  const [compound] = await db.query('SELECT 1 FROM compound WHERE id = $1 AND grid_id = $2 AND retired_at IS NULL', [
    compoundId,
    gridId,
  ]);
  return compound !== undefined;
}

/** Whether there is such a compound in use (a retired one is named by old cases only). */
export async function compoundExists(db: Queryable, compoundId: string): Promise<boolean> {
  const [row] = await db.query('SELECT 1 FROM compound WHERE id = $1 AND retired_at IS NULL', [compoundId]);
  return row !== undefined;
}

/** The compound's households and grid, if there is such a compound. */
export async function compoundHouseholds(
  db: Queryable,
  compoundId: string,
): Promise<{ households: number; grid_id: string } | undefined> {
  const [compound] = await db.query<{ households: number; grid_id: string }>(
    'SELECT households, grid_id FROM compound WHERE id = $1',
    [compoundId],
  );
  return compound;
}

/** The compound's name, if there is such a compound. */
export async function compoundName(db: Queryable, compoundId: string): Promise<{ name: string } | undefined> {
  const [compound] = await db.query<{ name: string }>('SELECT name FROM compound WHERE id = $1', [compoundId]);
  return compound;
}

/**
 * The grids in use by code, each with its grid worker's username and its compounds in use (id, name, households) by
 * name: what people pick from.
 */
export async function gridsWithCompounds(db: Queryable): Promise<Record<string, unknown>[]> {
  return db.query(
    `SELECT g.id, g.code, g.name, u.username AS "gridWorker",
                COALESCE(json_agg(json_build_object('id', c.id, 'name', c.name, 'households', c.households) ORDER BY c.name) FILTER (WHERE c.id IS NOT NULL), '[]') AS compounds
         FROM grid g LEFT JOIN app_user u ON u.id = g.grid_worker_id
         LEFT JOIN compound c ON c.grid_id = g.id AND c.retired_at IS NULL
         WHERE g.retired_at IS NULL
         GROUP BY g.id, u.username ORDER BY g.code`,
  );
}
