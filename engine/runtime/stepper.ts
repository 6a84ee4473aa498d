/**
 * Who runs a step, and where: `InlineStepper` on the caller's thread; `ThreadStepper` (step-thread.ts) hands it to a
 * worker thread that runs an `InlineStepper` of its own within a time and memory budget. Both give the same results.
 */
import type { DmnModel } from '../model/dmn';
import { evaluateDecision } from '../model/dmn';
import type { ProcessModel } from '../model/process-model';
import { Step } from '../core/step';
import {
  DecisionError,
  type Action,
  type DecisionEvaluator,
  type RunResult,
  type StoredRuntime,
  type Variables,
} from './types';

export interface StepRequest {
  instanceKey: string;
  /** The stored version the step starts from (counts the instance's stored steps). */
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
  /** Reads the core's stored state; called only when the instance has one. */
  loadEngine: () => Promise<unknown>;
  /** Reads a deployed resource's file by key (a step thread parses the model and decisions itself, once each). */
  loadResource: (key: string) => Promise<{ name: string; content: string }>;
  /** Told each element the step enters, leaves or waits at (the step thread shares it, see step-thread.ts). */
  onElement?: (elementId: string) => void;
}

export interface Stepper {
  step(request: StepRequest): Promise<RunResult>;
  /** The engine stops. */
  close(): Promise<void>;
}

/** The evaluator a session calls for a business rule task, over the decisions its model calls. */
export function decider(decisions: Map<string, { model: DmnModel }>): DecisionEvaluator {
  return (decisionId, vars) => {
    const dmn = decisions.get(decisionId);
    if (!dmn) {
      throw new DecisionError(
        `Expected to evaluate decision '${decisionId}', but no decision found for id '${decisionId}'`,
        'CALLED_DECISION_ERROR',
      );
    }
    try {
      return evaluateDecision(dmn.model, decisionId, vars).output;
    } catch (error) {
      throw new DecisionError((error as Error).message, 'DECISION_EVALUATION_ERROR');
    }
  };
}

/** Steps on this thread: the stored state is read, one step runs on the engine's core, and nothing stays in memory. */
export class InlineStepper implements Stepper {
  async step(request: StepRequest): Promise<RunResult> {
    const stored = request.stored && { ...request.stored, engine: await request.loadEngine() };
    const result = new Step({
      model: request.model,
      stored,
      variables: request.variables,
      action: request.action,
      now: request.now,
      decide: decider(request.decisions),
      onElement: request.onElement,
    }).run();
    if (result.outcome === 'waiting') result.runtime.version = request.version + 1;
    return result;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
