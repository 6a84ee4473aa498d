/**
 * The lint thread (see lint-thread.ts): lints each model it is sent with model-lint.ts, one at a time.
 */
import { parentPort } from 'node:worker_threads';
import { lintModel } from './model-lint';
import type { LintReply, LintRequest } from './lint-thread';

const port = parentPort!;

port.on('message', (request: LintRequest) => {
  lintModel(request.name, request.content, request.options).then(
    (problems) => port.postMessage({ id: request.id, problems } satisfies LintReply),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies LintReply),
  );
});
