/**
 * assign-service-team: a key person gets a service team (1 cadre + 1 volunteer + 1 professional). The cadre leads
 * the visits: the one already on file, else the community cadre with the fewest active key persons.
 */
import { required, type JobWorker } from './job';
import { JOB_TYPES } from '../bpmn/job-types';
import { keyPersonTeam, leastBusyCadre, setTeamCadre } from '../domain/key-persons';
import { usernameOf } from '../domain/users';

/** Days between visits (一人一策): the plan does not fix it; a month is the default. */
export const VISIT_INTERVAL = 'P30D';

export const assignServiceTeam: JobWorker = {
  type: JOB_TYPES.assignServiceTeam,
  async handle({ variables }, deps) {
    const personId = required(variables, 'personId', 'string');
    return deps.db.transaction(async (tx) => {
      const person = await keyPersonTeam(tx, personId);
      if (!person) throw new Error(`Key person ${personId} is not in the registry`);
      let cadreId = person.team_cadre_id;
      if (!cadreId) {
        const least = await leastBusyCadre(tx);
        if (!least) throw new Error('No active user has the role cadre: add one before assigning a service team');
        cadreId = least.id;
        await setTeamCadre(tx, personId, cadreId);
      }
      const cadre = (await usernameOf(tx, cadreId))!;
      return { serviceTeamLead: cadre.username, visitInterval: VISIT_INTERVAL };
    });
  },
};
