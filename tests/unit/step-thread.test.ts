/**
 * The engine's steps on a thread of their own give what the same steps give on the caller's thread, from the stored
 * state each carries, and a thread that dies fails only the steps it was running.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { parseBpmn } from '../../engine/model/process-model';
import { parseDmn } from '../../engine/model/dmn';
import { InlineStepper, type StepRequest, type Stepper } from '../../engine/runtime/stepper';
import { StepThreadError, ThreadStepper } from '../../engine/runtime/step-thread';
import type { Action, RunResult, StoredRuntime, Variables } from '../../engine/runtime/types';

const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/engine', name), 'utf8');
const NOW = new Date('2026-03-02T02:00:00Z');

/** One instance driven step by step, its state kept as the engine keeps it in its row. */
class Instance {
  version = 0;
  stored: StoredRuntime | undefined;
  variables: Variables = {};
  loads = 0;
  readonly resourcesRead: string[] = [];

  constructor(
    private readonly stepper: Stepper,
    readonly key: string,
    private readonly file: string,
    private readonly decisions: Array<[string, string, string]> = [],
  ) {}

  async request(action: Action): Promise<StepRequest> {
    const [model] = await parseBpmn(this.file, fixture(this.file));
    const decisions = new Map(
      await Promise.all(
        this.decisions.map(
          async ([id, key, file]) => [id, { key, model: await parseDmn(file, fixture(file)) }] as const,
        ),
      ),
    );
    const engineState = this.stored?.engine;
    return {
      instanceKey: this.key,
      version: this.version,
      definitionKey: `definition-${this.file}`,
      model,
      decisions,
      stored: this.stored ? { ...this.stored, engine: undefined } : undefined,
      variables: this.variables,
      action,
      now: NOW,
      loadEngine: () => {
        this.loads++;
        return Promise.resolve(engineState);
      },
      loadResource: (key) => {
        this.resourcesRead.push(key);
        const file = key === `definition-${this.file}` ? this.file : this.decisions.find((d) => d[1] === key)![2];
        return Promise.resolve({ name: file, content: fixture(file) });
      },
    };
  }

  /** One step, stored as a committed transaction would store it. */
  async step(action: Action, commit = true): Promise<RunResult> {
    const result = await this.stepper.step(await this.request(action));
    if (commit && result.outcome !== 'incident') {
      this.version = result.runtime.version ?? this.version;
      this.stored = result.outcome === 'waiting' ? result.runtime : undefined;
      this.variables = result.variables;
    }
    return result;
  }
}

/** What a step gave. */
const shape = (r: RunResult) => ({
  outcome: r.outcome,
  variables: r.variables,
  waits: r.waits.map((w) => ({ kind: w.kind, elementId: w.elementId, locals: w.locals })),
  events: r.events.map((e) => [e.elementId, e.state]),
  flows: r.flows,
  incident: r.incident,
  version: r.runtime.version,
});

const threadOf = (stepper: ThreadStepper) => (stepper as unknown as { worker: Worker | undefined }).worker;

describe('steps on the step thread', () => {
  const steppers: Stepper[] = [];
  const make = <T extends Stepper>(s: T): T => (steppers.push(s), s);
  afterEach(async () => {
    await Promise.all(steppers.splice(0).map((s) => s.close()));
  });

  async function drive(stepper: Stepper, key: string): Promise<RunResult[]> {
    const i = new Instance(stepper, key, 'two-service-tasks.bpmn');
    const results = [await i.step({ kind: 'start' })];
    results.push(
      await i.step({ kind: 'complete', executionId: results[0].waits[0].executionId, variables: { count: 21 } }),
    );
    results.push(
      await i.step({ kind: 'complete', executionId: results[1].waits[0].executionId, variables: { result: 'done' } }),
    );
    return results;
  }

  it('when an instance runs on the thread, then every step gives what it gives on this thread', async () => {
    // given the same instance driven inline and on the thread
    const inline = await drive(make(new InlineStepper()), '1');
    const threaded = await drive(make(new ThreadStepper()), '1');
    // then each step waits, maps and ends the same way
    expect(threaded.map(shape)).toEqual(inline.map(shape));
    expect(threaded[1].waits[0]).toMatchObject({ kind: 'job', elementId: 'task-b', locals: { doubled: 42 } });
    // (with an output mapping only the mapped variable leaves the task, as in Zeebe)
    expect(threaded[2].outcome).toBe('completed');
    expect(threaded[2].variables).toEqual({ count: 21, finalResult: 'done' });
  });

  it('when a step was not committed, then the next one steps from the stored state again, and each file is sent to the thread once', async () => {
    const stepper = make(new ThreadStepper());
    const i = new Instance(stepper, '7', 'two-service-tasks.bpmn');
    const started = await i.step({ kind: 'start' });
    const complete = { kind: 'complete' as const, executionId: started.waits[0].executionId, variables: { count: 1 } };
    const uncommitted = await i.step(complete, false);
    expect(uncommitted.waits[0].elementId).toBe('task-b');
    // that step's transaction rolled back: the same step from the same stored state gives the same result
    const again = await i.step(complete);
    expect(shape(again)).toEqual(shape(uncommitted));
    expect(i.resourcesRead).toEqual(['definition-two-service-tasks.bpmn']);
  });

  it('when a business rule task runs on the thread, then the decision it was sent decides', async () => {
    const stepper = make(new ThreadStepper());
    const decisions: Array<[string, string, string]> = [['decide-case-class', 'dmn-1', 'case-class.dmn']];
    const i = new Instance(stepper, '9', 'business-rule.bpmn', decisions);
    const inline = new Instance(make(new InlineStepper()), '9', 'business-rule.bpmn', decisions);
    i.variables = inline.variables = { category: '垃圾清运' };
    const [onThread, here] = [await i.step({ kind: 'start' }), await inline.step({ kind: 'start' })];
    expect(shape(onThread)).toEqual(shape(here));
    expect(onThread).toMatchObject({ outcome: 'completed', variables: { suggestedClass: 'simple' } });
    expect(i.resourcesRead.sort()).toEqual(['definition-business-rule.bpmn', 'dmn-1']);
  });

  it('when the thread dies during a step, then that step fails and the next one runs on a new thread', async () => {
    const stepper = make(new ThreadStepper());
    const i = new Instance(stepper, '11', 'two-service-tasks.bpmn');
    const started = await i.step({ kind: 'start' });
    // given a step that keeps the thread busy (a large variable to copy) when the thread is stopped
    i.variables = { ...i.variables, bulk: 'x'.repeat(40_000_000) };
    const running = stepper.step(
      await i.request({ kind: 'complete', executionId: started.waits[0].executionId, variables: {} }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    await threadOf(stepper)!.terminate();
    // then the step fails with a reason
    await expect(running).rejects.toThrow(StepThreadError);
    // and the same step runs on a new thread, from the stored state
    i.variables = {};
    const retried = await i.step({
      kind: 'complete',
      executionId: started.waits[0].executionId,
      variables: { count: 2 },
    });
    expect(retried.waits[0]).toMatchObject({ elementId: 'task-b', locals: { doubled: 4 } });
    expect(i.resourcesRead).toEqual(['definition-two-service-tasks.bpmn', 'definition-two-service-tasks.bpmn']);
  });

  it('when the engine stops, then its thread ends and no step is taken any more', async () => {
    const stepper = make(new ThreadStepper());
    const i = new Instance(stepper, '13', 'two-service-tasks.bpmn');
    await i.step({ kind: 'start' });
    const thread = threadOf(stepper)!;
    const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
    await stepper.close();
    await exited;
    await expect(i.step({ kind: 'start' })).rejects.toThrow('the engine was stopped');
  });
});
