/**
 * What a step of the core answers (a RunResult): once it ran, the instance completed or waiting — its state, the
 * locals still held, every variable name with its stable index, the element events, the waits, the flows taken and
 * what goes to other instances (signals, escalations); or, when it failed, the incident its error is.
 */
import { FeelError } from '../model/feel';
import { IncidentSignal, incidentResult, type RunResult, type Variables } from '../runtime/types';
import type { Step, StepInput } from './step';
import { UnhandledError } from './catching';
import { waitsOf } from './waits';

/** The answer of a step that ran to its end: the instance completed, or waiting with its state, locals and waits. */
export function stepResult(step: Step): RunResult {
  const common = {
    variables: step.scopes.root,
    events: step.events,
    flows: [...step.flows],
    escalations: step.escalations,
    signals: step.signals,
  };
  if (step.completed)
    return {
      outcome: 'completed',
      runtime: { engine: null, locals: {}, names: variableNames(step, {}) },
      waits: [],
      ...common,
    };
  const locals: Record<string, Variables> = {};
  for (const [x, vars] of Object.entries(step.scopes.locals))
    if (step.state.els[x] && Object.keys(vars).length > 0) locals[x] = vars;
  return {
    outcome: 'waiting',
    runtime: { engine: step.state, locals, names: variableNames(step, locals) },
    waits: waitsOf(step),
    ...common,
  };
}

/**
 * The answer of a step that failed: the incident its error is, the instance kept at its stored state; a BPMN error
 * no catch event took is raised too (a calling process may catch it).
 */
export function failedResult(error: unknown, input: StepInput): RunResult {
  const incident = asIncident(error, input.model.processId);
  const result = incidentResult(input.stored, input.variables, {
    elementId: incident.elementId,
    errorType: incident.errorType,
    message: incident.message,
  });
  if (incident instanceof UnhandledError) result.raised = { code: incident.code, message: incident.errorMessage };
  return result;
}

/** Every variable name with a stable index (see StoredRuntime.names). */
function variableNames(step: Step, locals: Record<string, Variables>): Record<string, number> {
  const names = { ...(step.input.stored?.names ?? {}) };
  let next = Object.keys(names).length;
  next = addNames(names, step.scopes.root, next);
  for (const vars of Object.values(locals)) next = addNames(names, vars, next);
  return names;
}

/** Gives the names of `vars` not indexed yet the next indexes; answers the next index free. */
function addNames(names: Record<string, number>, vars: Variables, next: number): number {
  for (const name of Object.keys(vars)) if (!(name in names)) names[name] = next++;
  return next;
}

function asIncident(error: unknown, processId: string): IncidentSignal {
  if (error instanceof IncidentSignal) return error;
  if (error instanceof FeelError) return new IncidentSignal(processId, 'EXTRACT_VALUE_ERROR', error.message);
  return new IncidentSignal(processId, 'UNKNOWN', (error as Error)?.message ?? String(error));
}
