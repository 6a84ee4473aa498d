/**
 * The case repository: every SQL statement on `petition_case`, the petition case (信访件) row, is in this folder, as
 * named functions that take the database (or transaction) they run on; routes, workers and the rest of the domain
 * import them from here. `tests/unit/case-writes.test.ts` fails on SQL naming the table anywhere else, and on a write
 * of it outside writes.ts.
 * - writes.ts: the case's named writes (filed, its process started, handed on, deadlines, rating, closed, …) and its
 *   timeline's;
 * - reads.ts: lookups of one case (a job's case, the case page, intake's and a transfer's checks);
 * - access.ts: who reaches a case in SQL (Art 30, a grid worker's grids) and the reads it shapes;
 * - lists.ts: lists of cases (the register, duplicates, a resident's petitions, tasks' and notices' cases, the
 *   key-person registry's files);
 * - reports.ts: what is counted (the dashboard's and the annual report's figures, the rules' windows);
 * - messages.ts: notifications, the SMS outbox, rating links and the notice board, read with their case;
 * - warnings.ts: early-warning alerts and their cases; calendar-waits.ts: deadlines waiting for a calendar year;
 * - durations.ts: the ISO durations the processes give;
 * - search.ts: the case centre's search (a term and filters, keyset pages) and its filters' choices;
 * - workplace.ts: cases per compound (the grid register), a coordination task's alert, a task's named candidates;
 * - reviews.ts: review and re-review (Art 35–36), final cases and their repeats, the legal clocks' reads.
 */
export * from './writes';
export * from './reads';
export * from './access';
export * from './lists';
export * from './reports';
export * from './messages';
export * from './warnings';
export * from './calendar-waits';
export * from './durations';
export * from './search';
export * from './workplace';
export * from './reviews';
export * from './procedures';
