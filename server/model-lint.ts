/**
 * Checks a model the way the Camunda Modeler does before it is deployed: BPMN through bpmnlint's recommended rules
 * plus Camunda 8.8 compatibility, every FEEL expression through @bpmn-io/feel-lint, and (for the embedded engine)
 * the engine's own parser, which names what it does not support; DMN through the engine's DMN parser; forms for the
 * structure form-js needs. Used by the API before a version may be deployed, and by the tests on bpmn/.
 */
import BpmnModdle from 'bpmn-moddle';
import { parseBpmn } from '../engine/model/process-model';
import { parseDmn } from '../engine/model/dmn';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Linter } = require('bpmnlint') as { Linter: new (options: object) => { lint(root: unknown): Promise<Record<string, LintReport[]>> } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver') as new () => object;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zeebe = require('zeebe-bpmn-moddle/resources/zeebe.json') as object;

interface LintReport {
  id?: string;
  message: string;
  category: 'error' | 'warn' | 'info' | 'rule-error';
}

export interface ModelProblem {
  /** bpmnlint rule, `feel`, `engine`, `xml` or `form`. */
  rule: string;
  /** The element the problem is on, when known (the modeler marks it on the diagram). */
  elementId?: string;
  message: string;
  severity: 'error' | 'warning';
}

export type ModelKind = 'bpmn' | 'dmn' | 'form';

export function kindOf(resourceName: string): ModelKind | undefined {
  const m = /\.(bpmn|dmn|form)$/.exec(resourceName);
  return m ? (m[1] as ModelKind) : undefined;
}

/** FEEL expressions of a BPMN file: attribute values and element bodies that start with "=". */
export function feelExpressions(xml: string): string[] {
  // Named and numeric character references (bpmn-js writes quotes as &#34;), in one pass so "&amp;lt;" stays "&lt;".
  const named: Record<string, string> = { quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' };
  const decode = (s: string) =>
    s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|quot|apos|lt|gt|amp);/g, (_, ref: string) =>
      ref.startsWith('#x') ? String.fromCodePoint(parseInt(ref.slice(2), 16)) : ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : named[ref],
    );
  const attributes = [...xml.matchAll(/="(=[^"]*)"/g)].map((m) => decode(m[1]));
  const bodies = [...xml.matchAll(/>\s*(=[^<]*)</g)].map((m) => decode(m[1]));
  return [...attributes, ...bodies].map((e) => e.trim().slice(1));
}

export async function lintBpmn(name: string, xml: string, options: { engine?: boolean } = {}): Promise<ModelProblem[]> {
  const problems: ModelProblem[] = [];
  const moddle = new BpmnModdle({ zeebe });
  let root: unknown;
  try {
    const parsed = (await moddle.fromXML(xml)) as { rootElement: unknown; warnings?: Array<{ message: string }> };
    root = parsed.rootElement;
  } catch (error) {
    return [{ rule: 'xml', message: `不是有效的 BPMN XML / not valid BPMN XML: ${(error as Error).message}`, severity: 'error' }];
  }
  const linter = new Linter({
    config: { extends: ['bpmnlint:recommended', 'plugin:camunda-compat/camunda-cloud-8-8'] },
    resolver: new NodeResolver(),
  });
  const results = await linter.lint(root);
  for (const [rule, reports] of Object.entries(results)) {
    for (const r of reports) {
      if (r.category === 'info') continue;
      problems.push({ rule, elementId: r.id, message: r.message, severity: r.category === 'warn' ? 'warning' : 'error' });
    }
  }
  const { lintExpression } = await import('@bpmn-io/feel-lint');
  for (const expression of feelExpressions(xml)) {
    for (const p of lintExpression(expression)) problems.push({ rule: 'feel', message: `'${expression}': ${p.message}`, severity: p.severity === 'error' ? 'error' : 'warning' });
  }
  if (options.engine) {
    try {
      await parseBpmn(name, xml);
    } catch (error) {
      problems.push({ rule: 'engine', message: (error as Error).message, severity: 'error' });
    }
  }
  return problems;
}

export async function lintDmn(name: string, xml: string): Promise<ModelProblem[]> {
  try {
    await parseDmn(name, xml);
    return [];
  } catch (error) {
    return [{ rule: 'engine', message: (error as Error).message, severity: 'error' }];
  }
}

type FormComponent = { type?: string; key?: string; label?: string; components?: FormComponent[] };

export function lintForm(json: string): ModelProblem[] {
  let form: { id?: unknown; type?: unknown; components?: FormComponent[] };
  try {
    form = JSON.parse(json) as typeof form;
  } catch (error) {
    return [{ rule: 'form', message: `不是有效的 JSON / not valid JSON: ${(error as Error).message}`, severity: 'error' }];
  }
  const problems: ModelProblem[] = [];
  if (typeof form.id !== 'string' || form.id.length === 0) problems.push({ rule: 'form', message: '表单缺少 id / the form has no id', severity: 'error' });
  if (form.type !== 'default') problems.push({ rule: 'form', message: '表单类型应为 default / the form type must be "default"', severity: 'error' });
  const all: FormComponent[] = [];
  const walk = (cs: FormComponent[] = []) => cs.forEach((c) => (all.push(c), walk(c.components)));
  walk(Array.isArray(form.components) ? form.components : []);
  const keys = all.filter((c) => c.key).map((c) => c.key!);
  for (const key of new Set(keys.filter((k, i) => keys.indexOf(k) !== i))) {
    problems.push({ rule: 'form', elementId: key, message: `字段 ${key} 重复 / the key "${key}" is used twice`, severity: 'error' });
  }
  for (const c of all.filter((x) => x.key && !x.label && x.type !== 'hidden')) {
    problems.push({ rule: 'form', elementId: c.key, message: `字段 ${c.key} 没有标签 / the field "${c.key}" has no label`, severity: 'warning' });
  }
  return problems;
}

export async function lintModel(name: string, content: string, options: { engine?: boolean } = {}): Promise<ModelProblem[]> {
  switch (kindOf(name)) {
    case 'bpmn':
      return lintBpmn(name, content, options);
    case 'dmn':
      return lintDmn(name, content);
    case 'form':
      return lintForm(content);
    default:
      return [{ rule: 'name', message: `资源名应以 .bpmn、.dmn 或 .form 结尾 / a resource name ends in .bpmn, .dmn or .form: ${name}`, severity: 'error' }];
  }
}
