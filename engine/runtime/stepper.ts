/**
 * Who runs a step: the session of an instance (live or recovered), the decisions it may call, and what happens to
 * the session afterwards. `InlineStepper` runs steps on the caller's thread; `ThreadStepper` (step-thread.ts) hands
 * them to a worker thread that runs an `InlineStepper` of its own, so that bpmn-engine's work and its garbage stay
 * off the thread that answers requests. Both keep the same instances live and give the same results.
 */
import type { DmnModel } from '../model/dmn';
import { evaluateDecision } from '../model/dmn';
import type { ProcessModel } from '../model/process-model';
import { SessionCache } from './session-cache';
import { InstanceSession } from './session';
import { DecisionError, type Action, type DecisionEvaluator, type RunResult, type StoredRuntime, type Variables } from './types';

export interface StepRequest {
  instanceKey: string;
  /** The stored version the step starts from (a live session is used only if it produced this version). */
  version: number;
  definitionKey: string;
  model: ProcessModel;
  /** The decisions the model's business rule tasks call: decision id → its deployed resource's key and model. */
  decisions: Map<string, { key: string; model: DmnModel }>;
  /** The stored runtime without the engine's own state (undefined: the instance starts now). */
  stored: StoredRuntime | undefined;
  variables: Variables;
  action: Action;
  now: Date;
  /** Reads the engine's stored state; called only when the instance has one and is not live. */
  loadEngine: () => Promise<unknown>;
  /** Reads a deployed resource's file by key (a step thread parses the model and decisions itself, once each). */
  loadResource: (key: string) => Promise<{ name: string; content: string }>;
  /** Told each element the step enters, leaves or waits at (the step thread shares it, see step-thread.ts). */
  onElement?: (elementId: string) => void;
}

export interface Stepper {
  step(request: StepRequest): Promise<RunResult>;
  /** Drops every live session (the engine stops). */
  close(): Promise<void>;
}

/** The evaluator a session calls for a business rule task, over the decisions its model calls. */
export function decider(decisions: Map<string, { model: DmnModel }>): DecisionEvaluator {
  return (decisionId, vars) => {
    const dmn = decisions.get(decisionId);
    if (!dmn) {
      throw new DecisionError(`Expected to evaluate decision '${decisionId}', but no decision found for id '${decisionId}'`, 'CALLED_DECISION_ERROR');
    }
    try {
      return evaluateDecision(dmn.model, decisionId, vars).output;
    } catch (error) {
      throw new DecisionError((error as Error).message, 'DECISION_EVALUATION_ERROR');
    }
  };
}

/**
 * Steps on this thread. Only an instance left waiting for a job worker stays live (it is about to be woken); one
 * waiting for a person, a message or a timer is dropped and recovered from its stored state when something wakes it.
 */
export class InlineStepper implements Stepper {
  private readonly sessions: SessionCache;

  constructor(hotInstances: number) {
    this.sessions = new SessionCache(hotInstances);
  }

  async step(request: StepRequest): Promise<RunResult> {
    const { instanceKey, version } = request;
    let session = this.sessions.take(instanceKey, version);
    let stored = request.stored;
    if (!session) {
      // Read before the session is made: a caller that cannot give the state (see the step thread) fails here.
      if (stored) stored = { ...stored, engine: await request.loadEngine() };
      session = new InstanceSession(request.model);
    }
    const result = await session.step({
      stored,
      variables: request.variables,
      action: request.action,
      now: request.now,
      decide: decider(request.decisions),
      onElement: request.onElement,
    });
    if (result.outcome === 'waiting') {
      result.runtime.version = version + 1;
      if (result.waits.some((w) => w.kind === 'job')) this.sessions.keep(instanceKey, version + 1, session);
      else session.dispose();
    }
    return result;
  }

  close(): Promise<void> {
    this.sessions.clear();
    return Promise.resolve();
  }
}
