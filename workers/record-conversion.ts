/**
 * record-conversion: a key person with a reasonable claim joins the residents' council or the mediation committee,
 * or becomes a volunteer — only with their consent (counted for the plan's "≥ 30 % become volunteers").
 */
import { required, type JobWorker } from './job';
import { JOB_TYPES } from '../bpmn/job-types';
import { convertKeyPerson } from '../domain/key-persons';

const ROLES = ['volunteer', 'residents-council', 'mediation-committee'];

export const recordConversion: JobWorker = {
  type: JOB_TYPES.recordConversion,
  async handle({ variables }, deps) {
    const personId = required(variables, 'personId', 'string');
    const role = variables.conversionRole;
    if (typeof role !== 'string' || !ROLES.includes(role)) {
      throw new Error(`conversionRole must be one of ${ROLES.join(', ')}, but is ${JSON.stringify(role)}`);
    }
    if (variables.conversionConsent !== true) return { converted: false };
    if (!(await convertKeyPerson(deps.db, personId, role, deps.now().toISOString())))
      throw new Error(`Key person ${personId} is not in the registry`);
    return { converted: true };
  },
};
