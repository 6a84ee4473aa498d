/**
 * The step thread (see step-thread.ts): an InlineStepper of its own, with the models and decisions it was sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseBpmn, type ProcessModel } from '../model/process-model';
import { parseDmn, type DmnModel } from '../model/dmn';
import { InlineStepper } from './stepper';
import { PROGRESS_BYTES, type WireReply, type WireRequest } from './step-thread';

const port = parentPort!;
const data = workerData as { progress: SharedArrayBuffer };
const stepper = new InlineStepper();

/**
 * The element the running step is at, for the engine's thread to name when it stops a step that overran its
 * budget (this thread is stuck then, and cannot say). Written only when it changes.
 */
const progressLength = new Int32Array(data.progress, 0, 1);
const progressText = new Uint8Array(data.progress, 4, PROGRESS_BYTES - 4);
let at: string | undefined;
function atElement(elementId: string | undefined): void {
  if (elementId === at) return;
  at = elementId;
  const bytes = Buffer.from(elementId ?? '', 'utf8').subarray(0, progressText.length);
  progressText.set(bytes);
  Atomics.store(progressLength, 0, bytes.length);
}
const processes = new Map<string, Promise<ProcessModel>>();
const decisions = new Map<string, Promise<DmnModel>>();

function parsed<T>(cache: Map<string, Promise<T>>, key: string): Promise<T> {
  const found = cache.get(key);
  if (!found) throw new Error(`the step thread was not sent resource ${key}`);
  return found;
}

async function handle(request: WireRequest): Promise<WireReply> {
  const { id } = request;
  atElement(undefined);
  port.postMessage({ id, started: true });
  try {
    for (const r of request.resources) {
      const cache: Map<string, Promise<unknown>> = r.kind === 'process' ? processes : decisions;
      const model =
        r.kind === 'process'
          ? parseBpmn(r.name, r.content).then((all) => all.find((m) => m.processId === r.processId) ?? all[0])
          : parseDmn(r.name, r.content);
      // A file that did not parse is parsed again when it is sent again.
      model.catch(() => cache.delete(r.key));
      cache.set(r.key, model);
    }
    const model = await parsed(processes, request.definitionKey);
    const called = new Map(
      await Promise.all(
        request.decisions.map(
          async ([decisionId, key]) => [decisionId, { key, model: await parsed(decisions, key) }] as const,
        ),
      ),
    );
    const result = await stepper.step({
      instanceKey: request.instanceKey,
      version: request.version,
      definitionKey: request.definitionKey,
      model,
      decisions: called,
      stored: request.stored,
      variables: request.variables,
      action: request.action,
      now: request.now,
      loadEngine: () => Promise.resolve(request.engine),
      loadResource: () => Promise.reject(new Error('not used on the step thread')),
      onElement: atElement,
    });
    // As the database will hold it (a FEEL value such as a date becomes its JSON): what crosses to the other thread
    // is plain data.
    return { id, result: JSON.parse(JSON.stringify(result)) as typeof result };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { id, error: { name: e.name, message: e.message } };
  }
}

port.on('message', (request: WireRequest) => {
  void handle(request).then((reply) => {
    try {
      port.postMessage(reply);
    } catch (error) {
      port.postMessage({
        id: request.id,
        error: { name: 'DataCloneError', message: (error as Error).message },
      } satisfies WireReply);
    }
  });
});
