import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKERS } from '../../workers';
import { JOB_TYPES } from '../../bpmn/job-types';

describe('job types and workers', () => {
  const modelTypes = new Set(
    readdirSync(join(__dirname, '..', '..', 'bpmn'))
      .filter((f) => f.endsWith('.bpmn'))
      .flatMap((f) =>
        [
          ...readFileSync(join(__dirname, '..', '..', 'bpmn', f), 'utf8').matchAll(
            /<zeebe:taskDefinition type="([^"]+)"/g,
          ),
        ].map((m) => m[1]),
      ),
  );
  const workerTypes = WORKERS.map((w) => w.type);

  it('when the models use a job type, then exactly one worker handles it', () => {
    const missing = [...modelTypes].filter((t) => !workerTypes.includes(t));
    expect(missing).toEqual([]);
    expect(workerTypes.filter((t, i) => workerTypes.indexOf(t) !== i)).toEqual([]);
  });

  it('when a worker exists, then a model uses its job type and bpmn/job-types.ts names it', () => {
    expect(workerTypes.filter((t) => !modelTypes.has(t))).toEqual([]);
    expect([...workerTypes].sort()).toEqual(Object.values(JOB_TYPES).sort());
  });
});
