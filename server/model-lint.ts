/**
 * Checks a model the way the Camunda Modeler does before it is deployed: BPMN through bpmnlint's recommended rules
 * plus Camunda 8.8 compatibility, every FEEL expression through @bpmn-io/feel-lint, and (for the embedded engine)
 * the engine's own parser, which names what it does not support; DMN through the engine's DMN parser; forms for the
 * structure form-js needs. Used by the API before a version may be deployed, and by the tests on bpmn/.
 *
 * Every message is written for people in both languages (domain/lint-messages.ts turns bpmnlint's and FEEL's terse
 * English into sentences naming the element): `message` is "中文 / English", `text` holds the halves, and the API
 * answers with the reader's half.
 */
import BpmnModdle from 'bpmn-moddle';
import { parseBpmn } from '../engine/model/process-model';
import { parseDmn } from '../engine/model/dmn';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Linter } = require('bpmnlint') as {
  Linter: new (options: object) => { lint(root: unknown): Promise<Record<string, LintReport[]>> };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver') as new () => object;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zeebe = require('zeebe-bpmn-moddle/resources/zeebe.json') as object;

interface LintReport {
  id?: string;
  message: string;
  category: 'error' | 'warn' | 'info' | 'rule-error';
}

import { kindOf, type ModelKind, type ModelProblem } from '../domain/models';
import { bilingual, explainFeel, explainLint, subjectsOf } from '../domain/lint-messages';

export { kindOf, type ModelKind, type ModelProblem };

/** FEEL expressions of a BPMN file: attribute values and element bodies that start with "=". */
export function feelExpressions(xml: string): string[] {
  // Named and numeric character references (bpmn-js writes quotes as &#34;), in one pass so "&amp;lt;" stays "&lt;".
  const named: Record<string, string> = { quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' };
  const decode = (s: string) =>
    s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|quot|apos|lt|gt|amp);/g, (_, ref: string) =>
      ref.startsWith('#x')
        ? String.fromCodePoint(parseInt(ref.slice(2), 16))
        : ref.startsWith('#')
          ? String.fromCodePoint(Number(ref.slice(1)))
          : named[ref],
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
    const reason = (error as Error).message;
    return [
      {
        rule: 'xml',
        ...bilingual({ zh: `不是有效的 BPMN XML：${reason}`, en: `not valid BPMN XML: ${reason}` }),
        severity: 'error',
      },
    ];
  }
  const linter = new Linter({
    config: { extends: ['bpmnlint:recommended', 'plugin:camunda-compat/camunda-cloud-8-8'] },
    resolver: new NodeResolver(),
  });
  const results = await linter.lint(root);
  const subjects = subjectsOf(root);
  for (const [rule, reports] of Object.entries(results)) {
    for (const r of reports) {
      if (r.category === 'info') continue;
      problems.push({
        rule,
        elementId: r.id,
        ...bilingual(explainLint(r.message, r.id ? subjects.get(r.id) : undefined)),
        severity: r.category === 'warn' ? 'warning' : 'error',
      });
    }
  }
  problems.push(...loopsWithoutWait(root), ...unboundedFeel(root));
  const { lintExpression } = await import('@bpmn-io/feel-lint');
  for (const expression of feelExpressions(xml)) {
    for (const p of lintExpression(expression))
      problems.push({
        rule: 'feel',
        ...bilingual(explainFeel(expression, p.message)),
        severity: p.severity === 'error' ? 'error' : 'warning',
      });
  }
  if (options.engine) {
    try {
      await parseBpmn(name, xml);
    } catch (error) {
      problems.push({ rule: 'engine', ...engineRefusal(error), severity: 'error' });
    }
  }
  return problems;
}

/** The engine's parser's refusal (English, naming the elements) with a Chinese lead. */
function engineRefusal(error: unknown) {
  const reason = (error as Error).message;
  return bilingual({ zh: `引擎不能运行此模型：${reason}`, en: reason });
}

/** A node of the moddle tree, as far as these checks read it. */
interface Node {
  $type: string;
  id?: string;
  name?: string;
  flowElements?: Node[];
  rootElements?: Node[];
  eventDefinitions?: Array<{ $type: string }>;
  sourceRef?: Node;
  targetRef?: Node;
  attachedToRef?: Node;
  [key: string]: unknown;
}

const WAIT_EVENTS = new Set(['bpmn:MessageEventDefinition', 'bpmn:TimerEventDefinition']);

/** Where a token stops until something from outside (a person, a message, the clock) moves it on. */
function isWaitState(node: Node): boolean {
  if (['bpmn:UserTask', 'bpmn:ReceiveTask', 'bpmn:EventBasedGateway'].includes(node.$type)) return true;
  if (node.$type === 'bpmn:IntermediateCatchEvent' || node.$type === 'bpmn:BoundaryEvent') {
    return (node.eventDefinitions ?? []).some((d) => WAIT_EVENTS.has(d.$type));
  }
  // A sub-process waits when something inside it does.
  if (node.$type === 'bpmn:SubProcess') return (node.flowElements ?? []).some(isWaitState);
  return false;
}

const label = (node: Node) => (node.name ? `${node.name} (${node.id})` : String(node.id));

/**
 * Cycles of sequence flows on which nothing waits. A token on such a cycle runs round it for ever: through service
 * tasks it hands out job after job as fast as the workers complete them (about 110 a second were seen), through
 * gateways and tasks without jobs it holds the engine itself. Camunda's own `no-loop` rule covers only loops of
 * plain tasks and call activities; this covers every element: a cycle is refused unless a user task, a receive task,
 * a message or timer catch event (boundary events included) or an event-based gateway is on it. Boundary events are
 * reached from the activity they are attached to.
 */
export function loopsWithoutWait(root: unknown): ModelProblem[] {
  const problems: ModelProblem[] = [];
  const containers: Node[] = [];
  const collect = (c: Node) => {
    containers.push(c);
    for (const el of c.flowElements ?? []) if (el.$type === 'bpmn:SubProcess') collect(el);
  };
  for (const el of (root as Node).rootElements ?? []) if (el.$type === 'bpmn:Process') collect(el);
  for (const container of containers) {
    const next = new Map<Node, Node[]>();
    const edge = (from: Node | undefined, to: Node | undefined) => {
      if (!from || !to || isWaitState(from) || isWaitState(to)) return;
      next.set(from, [...(next.get(from) ?? []), to]);
    };
    for (const el of container.flowElements ?? []) {
      if (el.$type === 'bpmn:SequenceFlow') edge(el.sourceRef, el.targetRef);
      if (el.$type === 'bpmn:BoundaryEvent') edge(el.attachedToRef, el);
    }
    // Tarjan's strongly connected components: each component of more than one element, or an element that leads to
    // itself, is a cycle with no wait state on it.
    let index = 0;
    const order = new Map<Node, number>();
    const low = new Map<Node, number>();
    const stack: Node[] = [];
    const onStack = new Set<Node>();
    const visit = (node: Node) => {
      order.set(node, index);
      low.set(node, index++);
      stack.push(node);
      onStack.add(node);
      for (const to of next.get(node) ?? []) {
        if (!order.has(to)) {
          visit(to);
          low.set(node, Math.min(low.get(node)!, low.get(to)!));
        } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, order.get(to)!));
      }
      if (low.get(node) !== order.get(node)) return;
      const component: Node[] = [];
      let member: Node;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (next.get(node) ?? []).includes(node)) {
        const cycle = component.reverse().map(label).join(' → ');
        problems.push({
          rule: 'loop-without-wait',
          elementId: node.id,
          ...bilingual({
            zh: `循环中没有等待点（用户任务、接收任务、消息或定时事件、事件网关），流程会不停地运行：${cycle}`,
            en: `a loop of sequence flows with no wait state on it (user task, receive task, message or timer event, event-based gateway) runs without end: ${cycle}`,
          }),
          severity: 'error',
        });
      }
    };
    for (const node of next.keys()) if (!order.has(node)) visit(node);
  }
  return problems;
}

/** The most items a FEEL iteration over a literal range may take; beyond it the expression is refused at deploy. */
export const MAX_LITERAL_RANGE = 100_000;

/** Properties that point at other elements (or back up the tree) rather than hold this element's own settings. */
const REFERENCES = new Set([
  '$parent',
  '$model',
  '$descriptor',
  'sourceRef',
  'targetRef',
  'incoming',
  'outgoing',
  'attachedToRef',
  'default',
  'flowElements',
  'boundaryEventRefs',
  'di',
  'categoryValueRef',
]);

/** The FEEL expressions (values starting with "=") an element carries, in its attributes and extension elements. */
function expressionsOf(element: Node): string[] {
  const found: string[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown) => {
    if (typeof value === 'string') {
      if (value.trim().startsWith('=')) found.push(value.trim().slice(1));
      return;
    }
    if (!value || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) return value.forEach(walk);
    // A message's subscription (its correlation key) is read through messageRef: evaluated at the element too.
    for (const [key, v] of Object.entries(value)) if (!REFERENCES.has(key)) walk(v);
  };
  walk(element);
  return found;
}

/**
 * FEEL that iterates over a literal range of more items than anyone needs (`for i in 1..30000000`, `some x in
 * 1..1e9 …` written out): evaluated, it holds the engine for as long as it takes to build and walk millions of values
 * (30 s and 4.5 GB were seen). Refused at deploy, naming the element and the expression; a range from variables is
 * bounded at run time by the engine's step budget instead.
 */
export function unboundedFeel(root: unknown): ModelProblem[] {
  const problems: ModelProblem[] = [];
  const visit = (container: Node) => {
    for (const el of container.flowElements ?? []) {
      for (const expression of expressionsOf(el)) {
        for (const m of expression.matchAll(/\bin\s+(-?\d+)\s*\.\.\s*(-?\d+)/g)) {
          const items = Math.abs(Number(m[2]) - Number(m[1])) + 1;
          if (items <= MAX_LITERAL_RANGE) continue;
          problems.push({
            rule: 'feel-unbounded',
            elementId: el.id,
            ...bilingual({
              zh: `${label(el)} 的表达式 '${expression}' 遍历 ${items} 项，超过上限 ${MAX_LITERAL_RANGE}，会长时间占用引擎`,
              en: `${label(el)}: the expression '${expression}' iterates over ${items} items, more than the ${MAX_LITERAL_RANGE} allowed; it would hold the engine for a long time`,
            }),
            severity: 'error',
          });
        }
      }
      if (el.flowElements) visit(el);
    }
  };
  for (const el of (root as Node).rootElements ?? []) if (el.$type === 'bpmn:Process') visit(el);
  return problems;
}

export async function lintDmn(name: string, xml: string): Promise<ModelProblem[]> {
  try {
    await parseDmn(name, xml);
    return [];
  } catch (error) {
    return [{ rule: 'engine', ...engineRefusal(error), severity: 'error' }];
  }
}

type FormComponent = { type?: string; key?: string; label?: string; components?: FormComponent[] };

export function lintForm(json: string): ModelProblem[] {
  let form: { id?: unknown; type?: unknown; components?: FormComponent[] };
  try {
    form = JSON.parse(json) as typeof form;
  } catch (error) {
    const reason = (error as Error).message;
    return [
      {
        rule: 'form',
        ...bilingual({ zh: `不是有效的 JSON：${reason}`, en: `not valid JSON: ${reason}` }),
        severity: 'error',
      },
    ];
  }
  const problems: ModelProblem[] = [];
  if (typeof form.id !== 'string' || form.id.length === 0)
    problems.push({ rule: 'form', ...bilingual({ zh: '表单缺少 id', en: 'the form has no id' }), severity: 'error' });
  if (form.type !== 'default')
    problems.push({
      rule: 'form',
      ...bilingual({ zh: '表单类型应为 default', en: 'the form type must be "default"' }),
      severity: 'error',
    });
  const all: FormComponent[] = [];
  const walk = (cs: FormComponent[] = []) => cs.forEach((c) => (all.push(c), walk(c.components)));
  walk(Array.isArray(form.components) ? form.components : []);
  const keys = all.filter((c) => c.key).map((c) => c.key!);
  for (const key of new Set(keys.filter((k, i) => keys.indexOf(k) !== i))) {
    problems.push({
      rule: 'form',
      elementId: key,
      ...bilingual({ zh: `字段 ${key} 重复`, en: `the key "${key}" is used twice` }),
      severity: 'error',
    });
  }
  for (const c of all.filter((x) => x.key && !x.label && x.type !== 'hidden')) {
    problems.push({
      rule: 'form',
      elementId: c.key,
      ...bilingual({ zh: `字段 ${c.key} 没有标签`, en: `the field "${c.key}" has no label` }),
      severity: 'warning',
    });
  }
  return problems;
}

export async function lintModel(
  name: string,
  content: string,
  options: { engine?: boolean } = {},
): Promise<ModelProblem[]> {
  switch (kindOf(name)) {
    case 'bpmn':
      return lintBpmn(name, content, options);
    case 'dmn':
      return lintDmn(name, content);
    case 'form':
      return lintForm(content);
    default:
      return [
        {
          rule: 'name',
          ...bilingual({
            zh: `资源名应以 .bpmn、.dmn 或 .form 结尾：${name}`,
            en: `a resource name ends in .bpmn, .dmn or .form: ${name}`,
          }),
          severity: 'error',
        },
      ];
  }
}
