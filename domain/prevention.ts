/**
 * Prevention's records (矛盾隐患排查): grid workers' patrol log, the hazards they record, the weekly and monthly
 * summary per grid, and the quarterly campaigns with their door-to-door coverage per compound. The rules (who records
 * for which grid, what a hazard needs) are the routes' (api/prevention.ts).
 */
import type { Queryable } from '../platform/db';

/** A day's patrol of a grid, as logged; answers the entry as the API shows it. */
export async function logPatrol(
  db: Queryable,
  p: { gridId: string; workerId: string; patrolledOn: string; householdsVisited: number; notes: string | null },
): Promise<Record<string, unknown>> {
  const [row] = await db.query(
    `INSERT INTO patrol_log (grid_id, worker_id, patrolled_on, households_visited, notes) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, grid_id AS "gridId", to_char(patrolled_on, 'YYYY-MM-DD') AS "patrolledOn", households_visited AS "householdsVisited", notes`,
    [p.gridId, p.workerId, p.patrolledOn, p.householdsVisited, p.notes],
  );
  return row;
}

/**
 * The patrol log, newest first, at most `limit` entries: of one grid when `gridId` is given, and only of the grids in
 * `grids` unless that is null (a whole-community reader).
 */
export async function patrolLog(
  db: Queryable,
  gridId: string | null,
  limit: number,
  grids: string[] | null,
): Promise<Record<string, unknown>[]> {
  return db.query(
    `SELECT p.id, p.grid_id AS "gridId", g.name AS grid, u.display_name AS worker, to_char(p.patrolled_on, 'YYYY-MM-DD') AS "patrolledOn",
                p.households_visited AS "householdsVisited", p.notes
         FROM patrol_log p JOIN grid g ON g.id = p.grid_id JOIN app_user u ON u.id = p.worker_id
         WHERE ($1::uuid IS NULL OR p.grid_id = $1) AND ($3::uuid[] IS NULL OR p.grid_id = ANY($3::uuid[]))
         ORDER BY p.patrolled_on DESC, p.created_at DESC LIMIT $2`,
    [gridId, limit, grids],
  );
}

/** A hazard found on patrol (mediated on the spot, or reported as the petition `caseId`), as recorded. */
export async function recordHazard(
  db: Queryable,
  h: {
    gridId: string;
    compoundId: string | null;
    reportedBy: string;
    foundAt: string;
    category: string;
    description: string;
    disposition: 'mediated' | 'reported';
    outcome: string | null;
    caseId: string | null;
  },
): Promise<Record<string, unknown>> {
  const [row] = await db.query(
    `INSERT INTO hazard_record (grid_id, compound_id, reported_by, found_at, category, description, disposition, outcome, case_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING id, category, disposition, outcome, case_id AS "caseId", found_at AS "foundAt"`,
    [h.gridId, h.compoundId, h.reportedBy, h.foundAt, h.category, h.description, h.disposition, h.outcome, h.caseId],
  );
  return row;
}

/** The first and last day (YYYY-MM-DD) of the week or month that holds the day `anchor`. */
export async function periodRange(
  db: Queryable,
  period: 'week' | 'month',
  anchor: string,
): Promise<{ from: string; to: string }> {
  const [range] = await db.query<{ from: string; to: string }>(
    `SELECT to_char(date_trunc($1, $2::date), 'YYYY-MM-DD') AS "from",
                to_char(date_trunc($1, $2::date) + CASE WHEN $1 = 'week' THEN interval '6 days' ELSE interval '1 month' - interval '1 day' END, 'YYYY-MM-DD') AS "to"`,
    [period, anchor],
  );
  return range;
}

/**
 * Per grid, over the days `from` to `to` (the grid's own days, in `timeZone`): patrol days, households visited, and
 * hazards — in all, mediated, reported, and by category.
 */
export async function gridSummaries(
  db: Queryable,
  from: string,
  to: string,
  timeZone: string,
): Promise<Record<string, unknown>[]> {
  // Per grid, one pass over its patrol logs and one over its hazards of the period (in the grid's own days).
  return db.query(
    `SELECT g.id, g.code, g.name, p."patrolDays", p."householdsVisited",
                COALESCE(sum(h.n), 0)::int AS hazards,
                COALESCE(sum(h.n) FILTER (WHERE h.disposition = 'mediated'), 0)::int AS mediated,
                COALESCE(sum(h.n) FILTER (WHERE h.disposition = 'reported'), 0)::int AS reported,
                COALESCE((SELECT json_object_agg(c.category, c.n) FROM (
                   SELECT hr.category, count(*)::int AS n FROM hazard_record hr
                   WHERE hr.grid_id = g.id AND (hr.found_at AT TIME ZONE $3)::date BETWEEN $1::date AND $2::date GROUP BY hr.category) c), '{}') AS "byCategory"
         FROM grid g
         CROSS JOIN LATERAL (
           SELECT count(DISTINCT pl.patrolled_on)::int AS "patrolDays", COALESCE(sum(pl.households_visited), 0)::int AS "householdsVisited"
           FROM patrol_log pl WHERE pl.grid_id = g.id AND pl.patrolled_on BETWEEN $1::date AND $2::date) p
         LEFT JOIN LATERAL (
           SELECT hr.disposition, count(*)::int AS n FROM hazard_record hr
           WHERE hr.grid_id = g.id AND (hr.found_at AT TIME ZONE $3)::date BETWEEN $1::date AND $2::date GROUP BY hr.disposition) h ON true
         GROUP BY g.id, p."patrolDays", p."householdsVisited"
         ORDER BY g.code`,
    [from, to, timeZone],
  );
}

/**
 * The campaigns by quarter, each with the households visited and conflicts found and resolved over its compounds,
 * and the community's households.
 */
export async function campaigns(db: Queryable): Promise<Record<string, unknown>[]> {
  return db.query(
    `SELECT c.id, c.quarter, c.theme, c.team,
                COALESCE(sum(v.households_visited), 0)::int AS "householdsVisited",
                (SELECT COALESCE(sum(households), 0)::int FROM compound) AS households,
                COALESCE(sum(v.conflicts_found), 0)::int AS "conflictsFound", COALESCE(sum(v.conflicts_resolved), 0)::int AS "conflictsResolved"
         FROM campaign c LEFT JOIN campaign_coverage v ON v.campaign_id = c.id GROUP BY c.id ORDER BY c.quarter`,
  );
}

/** Whether the quarter has a campaign already. */
export async function quarterHasCampaign(db: Queryable, quarter: string): Promise<boolean> {
  const [taken] = await db.query('SELECT 1 FROM campaign WHERE quarter = $1', [quarter]);
  return taken !== undefined;
}

/** A new quarter's campaign; answers it as the API shows it. */
export async function insertCampaign(
  db: Queryable,
  c: { quarter: string; theme: string; team: string | null },
): Promise<Record<string, unknown>> {
  const [row] = await db.query(
    'INSERT INTO campaign (quarter, theme, team) VALUES ($1, $2, $3) RETURNING id, quarter, theme, team',
    [c.quarter, c.theme, c.team],
  );
  return row;
}

/** Whether there is such a campaign. */
export async function campaignExists(db: Queryable, campaignId: string): Promise<boolean> {
  const [campaign] = await db.query('SELECT 1 FROM campaign WHERE id = $1', [campaignId]);
  return campaign !== undefined;
}

/** A compound's door-to-door coverage in a campaign, recorded or replaced. */
export async function setCoverage(
  db: Queryable,
  campaignId: string,
  compoundId: string,
  c: { householdsVisited: number; conflictsFound: number; conflictsResolved: number },
): Promise<void> {
  await db.query(
    `INSERT INTO campaign_coverage (campaign_id, compound_id, households_visited, conflicts_found, conflicts_resolved) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (campaign_id, compound_id) DO UPDATE SET households_visited = $3, conflicts_found = $4, conflicts_resolved = $5`,
    [campaignId, compoundId, c.householdsVisited, c.conflictsFound, c.conflictsResolved],
  );
}

/**
 * The campaigns of the years from `from` to `to` (dates): how many, the households they visited, and the community's
 * households times their number (at least once).
 */
export async function campaignTotals(
  db: Queryable,
  from: string,
  to: string,
): Promise<{ visited: number; households: number; quarters: number }> {
  const [campaigns] = await db.query<{ visited: number; households: number; quarters: number }>(
    `SELECT COALESCE(sum(v.households_visited), 0)::int AS visited, count(DISTINCT c.id)::int AS quarters,
            (SELECT COALESCE(sum(households), 0)::int FROM compound) * GREATEST(count(DISTINCT c.id), 1) AS households
     FROM campaign c LEFT JOIN campaign_coverage v ON v.campaign_id = c.id
     WHERE c.quarter >= to_char($1::date, 'YYYY') || '-Q1' AND c.quarter <= to_char($2::date, 'YYYY') || '-Q4'`,
    [from, to],
  );
  return campaigns;
}
