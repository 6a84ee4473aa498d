/**
 * assign-service-team: a key person gets a service team (1 cadre + 1 volunteer + 1 professional). The cadre leads
 * the visits: the one already on file, else the community cadre with the fewest active key persons.
 */
import { required, type JobWorker } from './job';
import { JOB_TYPES } from '../bpmn/job-types';

/** Days between visits (一人一策): the plan does not fix it; a month is the default. */
export const VISIT_INTERVAL = 'P30D';

export const assignServiceTeam: JobWorker = {
  type: JOB_TYPES.assignServiceTeam,
  async handle({ variables }, deps) {
    const personId = required(variables, 'personId', 'string');
    return deps.db.transaction(async (tx) => {
      const [person] = await tx.query<{ team_cadre_id: string | null; status: string }>(
        'SELECT team_cadre_id, status FROM key_person WHERE id = $1',
        [personId],
      );
      if (!person) throw new Error(`Key person ${personId} is not in the registry`);
      let cadreId = person.team_cadre_id;
      if (!cadreId) {
        const [least] = await tx.query<{ id: string }>(
          `SELECT u.id FROM app_user u JOIN user_role r ON r.user_id = u.id AND r.role_id = 'cadre'
           LEFT JOIN key_person k ON k.team_cadre_id = u.id AND k.status = 'active'
           WHERE u.active GROUP BY u.id, u.username ORDER BY count(k.id), u.username LIMIT 1`,
        );
        if (!least) throw new Error('No active user has the role cadre: add one before assigning a service team');
        cadreId = least.id;
        await tx.query('UPDATE key_person SET team_cadre_id = $2 WHERE id = $1', [personId, cadreId]);
      }
      const [cadre] = await tx.query<{ username: string }>('SELECT username FROM app_user WHERE id = $1', [cadreId]);
      return { serviceTeamLead: cadre.username, visitInterval: VISIT_INTERVAL };
    });
  },
};
