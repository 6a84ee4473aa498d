/**
 * check-key-person: applies the key-person rule (domain/key-persons.ts) to the case of the job.
 */
import { required, type JobWorker } from './job';
import { screenKeyPerson } from '../domain/key-persons';
import { JOB_TYPES } from '../bpmn/job-types';

export const checkKeyPerson: JobWorker = {
  type: JOB_TYPES.checkKeyPerson,
  async handle({ variables }, deps) {
    const outcome = await screenKeyPerson(deps, required(variables, 'caseId', 'string'));
    return { keyPersonId: outcome.keyPersonId, repeatPetition: outcome.repeat };
  },
};
