/**
 * The models admins edit in the web modeler: list, fetch, lint (Camunda 8.8 rules, shown on the diagram as they
 * edit; on a thread of its own, see server/lint-thread.ts), save a version, deploy a version (refused with the problems
 * listed when it does not pass), the version history and which version the engine runs. The files in bpmn/ are
 * version 0 of each model: what the app deploys on start until an admin deploys a saved version.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { language, Problem, problems, refusal } from '../platform/problem';
import { MODELS_DIR } from '../domain/deploy-models';
import { kindOf, type ModelProblem } from '../domain/models';
import { inLanguage } from '../domain/lint-messages';
import { savedModels, savedVersion, saveVersion, versionDeployed, versionHistory } from '../domain/diagram-versions';
import { NOW, type ApiDeps } from './deps';
import { route, type Role, type RouteSpec } from './route';

const READ: Role[] = ['admin', 'leader'];
const NameParam = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,80}\.(bpmn|dmn|form)$/, {
      message: '模型名应如 petition-handling.bpmn / a model name looks like petition-handling.bpmn',
    }),
  })
  .strict();
const VersionParam = z
  .object({ name: NameParam.shape.name, version: z.coerce.number().int().min(0).max(100000) })
  .strict();
const Content = z.object({ content: z.string().min(1).max(2_000_000) }).strict();
const MIME = { bpmn: 'text/xml', dmn: 'text/xml', form: 'application/json' } as const;

/** The checks' problems in the reader's language (the pages send theirs as Accept-Language). */
const readable = (found: ModelProblem[], lang: 'zh' | 'en') => found.map((p) => inLanguage(p, lang));

function fileContent(name: string): string | undefined {
  const path = join(MODELS_DIR, name);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

async function versionOf(
  deps: ApiDeps,
  name: string,
  version?: number,
): Promise<{ version: number; content: string } | undefined> {
  if (version === 0) {
    const content = fileContent(name);
    return content === undefined ? undefined : { version: 0, content };
  }
  const row = await savedVersion(deps.db, name, version);
  if (row) return { version: row.version, content: row.content };
  return version === undefined ? versionOf(deps, name, 0) : undefined;
}

/** What the engine runs for a BPMN model: the latest deployed definition of each process in the file. */
async function running(deps: ApiDeps, content: string) {
  const ids = [...content.matchAll(/<bpmn:process\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
  const out: Array<{ processDefinitionId: string; version: number; processDefinitionKey: string }> = [];
  for (const id of ids) {
    const { items } = await deps.engine().searchProcessDefinitions(
      {
        filter: { processDefinitionId: id as never },
        sort: [{ field: 'version', order: 'DESC' }],
        page: { limit: 1 },
      },
      NOW,
    );
    const d = items?.[0];
    if (d)
      out.push({
        processDefinitionId: id,
        version: Number(d.version),
        processDefinitionKey: String(d.processDefinitionKey),
      });
  }
  return out;
}

/**
 * What people call each shipped model: a process's or decision's name, and a form by the user task that shows it
 * (read from the files in bpmn/; a model saved only in the modeler keeps its file name).
 */
function modelTitles(files: string[]): Map<string, string> {
  const titles = new Map<string, string>();
  const read = (f: string) => readFileSync(join(MODELS_DIR, f), 'utf8');
  for (const f of files) {
    const named = f.endsWith('.bpmn')
      ? /<bpmn:process\b[^>]*\bname="([^"]+)"/.exec(read(f))
      : f.endsWith('.dmn')
        ? /<definitions\b[^>]*\bname="([^"]+)"/.exec(read(f))
        : null;
    if (named) titles.set(f, named[1]);
  }
  for (const f of files.filter((x) => x.endsWith('.bpmn')))
    for (const task of read(f).matchAll(/<bpmn:userTask\b[^>]*\bname="([^"]+)"[^>]*>[\s\S]*?<\/bpmn:userTask>/g)) {
      const form = /formId="([^"]+)"/.exec(task[0]);
      if (form && !titles.has(`${form[1]}.form`)) titles.set(`${form[1]}.form`, `表单：${task[1]}`);
    }
  return titles;
}

export const diagramRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/diagrams',
    tag: 'diagrams',
    summary: 'The models (processes, decisions, forms) with their latest saved and deployed versions',
    access: READ,
    async handle({ deps }) {
      const files = readdirSync(MODELS_DIR).filter((f) => kindOf(f));
      const saved = await savedModels(deps.db);
      const names = [...new Set([...files, ...saved.map((s) => s.resource_name)])].sort();
      const titles = modelTitles(files);
      return {
        items: names.map((name) => {
          const s = saved.find((x) => x.resource_name === name);
          return {
            name,
            title: titles.get(name) ?? null,
            kind: kindOf(name),
            latestVersion: s?.latest ?? 0,
            deployedVersion: s?.deployed ?? (files.includes(name) ? 0 : null),
            savedAt: s?.saved_at ?? null,
          };
        }),
      };
    },
  }),
  route({
    method: 'get',
    path: '/diagrams/:name',
    tag: 'diagrams',
    summary: 'A model: its latest version, its history, and what the engine runs',
    access: READ,
    params: NameParam,
    async handle({ deps, params }) {
      const latest = await versionOf(deps, params.name);
      if (!latest) throw problems.notFound({ zh: '模型不存在。', en: 'No such model.' });
      const history = await versionHistory(deps.db, params.name);
      return {
        name: params.name,
        kind: kindOf(params.name),
        version: latest.version,
        content: latest.content,
        versions: [
          ...history.map((h) => ({
            version: h.version,
            comment: h.comment,
            savedBy: h.saved_by,
            savedAt: h.saved_at,
            errors: h.error_count,
            deployedAt: h.deployed_at,
          })),
          ...(fileContent(params.name) !== undefined
            ? [
                {
                  version: 0,
                  comment: '随系统发布的版本',
                  savedBy: 'system',
                  savedAt: null,
                  errors: 0,
                  deployedAt: null,
                },
              ]
            : []),
        ],
        running: kindOf(params.name) === 'bpmn' ? await running(deps, latest.content) : [],
      };
    },
  }),
  route({
    method: 'get',
    path: '/diagrams/:name/versions/:version',
    tag: 'diagrams',
    summary: 'One saved version of a model',
    access: READ,
    params: VersionParam,
    async handle({ deps, params }) {
      const v = await versionOf(deps, params.name, params.version);
      if (!v) throw problems.notFound({ zh: '该版本不存在。', en: 'No such version.' });
      return { name: params.name, ...v };
    },
  }),
  route({
    method: 'post',
    path: '/diagrams/:name/lint',
    tag: 'diagrams',
    summary: 'Lint a model as edited (bpmnlint recommended + Camunda 8.8, FEEL, the engine parser)',
    access: ['admin'],
    params: NameParam,
    body: Content,
    handle: async ({ req, deps, params, body }) => ({
      problems: readable(await deps.lintModel(params.name, body.content, { engine: true }), language(req)),
    }),
  }),
  route({
    method: 'post',
    path: '/diagrams/:name/versions',
    tag: 'diagrams',
    summary: 'Save a new version (saved even with problems; only a clean one deploys)',
    access: ['admin'],
    params: NameParam,
    body: Content.extend({ comment: z.string().trim().max(500).optional() }),
    status: 201,
    async handle({ req, deps, user, params, body }) {
      const found = await deps.lintModel(params.name, body.content, { engine: true });
      const errors = found.filter((p) => p.severity === 'error').length;
      const version = await saveVersion(deps.db, {
        name: params.name,
        content: body.content,
        comment: body.comment ?? null,
        savedBy: user.username,
        errorCount: errors,
      });
      return { name: params.name, version, problems: readable(found, language(req)) };
    },
  }),
  route({
    method: 'post',
    path: '/diagrams/:name/versions/:version/deploy',
    tag: 'diagrams',
    summary: 'Deploy a saved version; refused with the problems listed if it does not pass the checks',
    access: ['admin'],
    params: VersionParam,
    async handle({ req, deps, params }) {
      const v = await versionOf(deps, params.name, params.version);
      if (!v) throw problems.notFound({ zh: '该版本不存在。', en: 'No such version.' });
      const found = (await deps.lintModel(params.name, v.content, { engine: true })).filter(
        (p) => p.severity === 'error',
      );
      if (found.length > 0) {
        throw refusal(
          'model',
          new Problem(
            422,
            { zh: '模型未通过检查，不能部署', en: 'The model does not pass the checks and cannot be deployed' },
            {
              zh: readable(found, 'zh')
                .map((p) => p.message)
                .join('；'),
              en: readable(found, 'en')
                .map((p) => p.message)
                .join('; '),
            },
            { problems: readable(found, language(req)) },
          ),
        );
      }
      const kind = kindOf(params.name)!;
      let deployment: {
        deploymentKey?: unknown;
        processes?: Array<{ processDefinitionId: unknown; processDefinitionVersion: unknown }>;
      };
      try {
        deployment = await deps
          .engine()
          .createDeployment({ resources: [new File([v.content], params.name, { type: MIME[kind] }) as never] });
      } catch (error) {
        const e = error as { status?: number; detail?: string; message?: string };
        if (e.status === 400) {
          throw refusal(
            'model',
            new Problem(
              422,
              { zh: '引擎拒绝了该模型', en: 'The engine refused the model' },
              { zh: e.detail ?? e.message ?? '', en: e.detail ?? e.message ?? '' },
            ),
          );
        }
        throw error;
      }
      const deploymentKey =
        typeof deployment.deploymentKey === 'string' || typeof deployment.deploymentKey === 'number'
          ? String(deployment.deploymentKey)
          : '';
      if (params.version > 0) {
        await versionDeployed(deps.db, params.name, params.version, deploymentKey);
      }
      return {
        name: params.name,
        version: params.version,
        deploymentKey,
        processes: (deployment.processes ?? []).map((p) => ({
          processDefinitionId: String(p.processDefinitionId),
          version: Number(p.processDefinitionVersion),
        })),
      };
    },
  }),
  route({
    method: 'get',
    path: '/element-templates',
    tag: 'diagrams',
    summary: "This project's element templates, for the modeler (one per job type)",
    access: READ,
    handle() {
      const dir = join(MODELS_DIR, 'element-templates');
      return Promise.resolve(
        readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown),
      );
    },
  }),
];
