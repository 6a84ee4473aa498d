/**
 * DMN 1.3 decisions with the semantics of Zeebe's engine (dmn-scala): decision tables with every hit policy Camunda 8
 * offers, literal expressions, and required decisions (their results are variables named after the decision's
 * variable, else its id). Every FEEL text is checked when the file is deployed, so a typo is refused then, not found
 * by the first case that reaches the table.
 */
import { DmnModdle } from 'dmn-moddle';
import { evaluate, parseExpression, parseUnaryTests, unaryTest } from 'feelin';
import { toJson } from './feel';
import { ModelError } from './model-error';

export interface DecisionResult {
  decisionId: string;
  /** One output column: its value; several: `{ outputName: value }`; list policies: a list of those. */
  output: unknown;
  /** 1-based positions of the matched rules in the table, as Camunda numbers them (`ruleIndex`). */
  matchedRules: number[];
}

export interface Decision {
  decisionId: string;
  name: string;
  evaluate(variables: Record<string, unknown>): DecisionResult;
}

export interface DmnModel {
  decisionRequirementsId: string;
  name: string;
  decisions: Decision[];
}

/** A refused decision file: the engine's one model error, under the name this module's callers know. */
export { ModelError as DmnModelError } from './model-error';

export class DecisionEvaluationError extends Error {
  constructor(
    readonly decisionId: string,
    message: string,
  ) {
    super(message);
    this.name = 'DecisionEvaluationError';
  }
}

const HIT_POLICIES = new Set(['UNIQUE', 'FIRST', 'PRIORITY', 'ANY', 'COLLECT', 'RULE ORDER', 'OUTPUT ORDER']);
const AGGREGATIONS = new Set(['SUM', 'MIN', 'MAX', 'COUNT']);

type Text = { text?: string };
type ModdleDecision = {
  $type: string;
  id: string;
  name?: string;
  variable?: { name?: string };
  informationRequirement?: Array<{ requiredDecision?: { href?: string } }>;
  knowledgeRequirement?: unknown[];
  decisionLogic?: Text & {
    $type: string;
    hitPolicy?: string;
    aggregation?: string;
    input?: Array<{ id: string; label?: string; inputExpression?: Text }>;
    output?: Array<{ id: string; name?: string; label?: string; outputValues?: Text }>;
    rule?: Array<{ id: string; inputEntry?: Text[]; outputEntry?: Text[] }>;
  };
};

interface Table {
  kind: 'table';
  hitPolicy: string;
  aggregation?: string;
  inputs: Array<{ label: string; expression: string }>;
  /** `priorities`: the output's allowed values in order, which rank rows for PRIORITY and OUTPUT ORDER. */
  outputs: Array<{ name: string; priorities: string[] }>;
  rules: Array<{ id: string; inputEntries: string[]; outputEntries: string[] }>;
}
interface Compiled {
  id: string;
  name: string;
  resultName: string;
  required: string[];
  logic: Table | { kind: 'literal'; expression: string };
}

const moddle = DmnModdle();

export async function parseDmn(resourceName: string, xml: string): Promise<DmnModel> {
  let parsed: {
    rootElement?: { $type: string; id?: string; name?: string; drgElement?: ModdleDecision[] };
    warnings: Array<{ message: string }>;
  };
  try {
    parsed = (await moddle.fromXML(xml, 'dmn:Definitions')) as typeof parsed;
  } catch (error) {
    const reason = (error as Error).message.replace(/\s+/g, ' ');
    const hint = /failed to parse document as/.test(reason)
      ? ` (DMN 1.3 is expected: xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/")`
      : '';
    throw new ModelError(resourceName, [`not a readable DMN file: ${reason}${hint}`]);
  }
  const problems = parsed.warnings.map((w) => w.message.replace(/\s+/g, ' '));
  const definitions = parsed.rootElement;
  const compiled = new Map<string, Compiled>();
  for (const el of definitions?.drgElement ?? []) {
    if (el.$type === 'dmn:Decision') compiled.set(el.id, compileDecision(el, problems));
  }
  if (compiled.size === 0) problems.push('contains no decision');
  checkRequirements(compiled, problems);
  if (problems.length > 0) throw new ModelError(resourceName, problems);
  const decisions = [...compiled.values()].map((d) => ({
    decisionId: d.id,
    name: d.name,
    evaluate: (variables: Record<string, unknown>) => run(compiled, d, variables),
  }));
  return {
    decisionRequirementsId: definitions?.id ?? resourceName,
    name: definitions?.name ?? definitions?.id ?? resourceName,
    decisions,
  };
}

export function decisionIds(model: DmnModel): string[] {
  return model.decisions.map((d) => d.decisionId);
}

export function evaluateDecision(
  model: DmnModel,
  decisionId: string,
  variables: Record<string, unknown>,
): DecisionResult {
  const decision = model.decisions.find((d) => d.decisionId === decisionId);
  if (!decision)
    throw new DecisionEvaluationError(
      decisionId,
      `no decision '${decisionId}' in '${model.decisionRequirementsId}' (it has: ${decisionIds(model).join(', ')})`,
    );
  return decision.evaluate(variables);
}

// ---- parsing ----

function compileDecision(el: ModdleDecision, problems: string[]): Compiled {
  const where = `decision "${el.name ?? el.id}" (${el.id})`;
  const required = (el.informationRequirement ?? []).flatMap((r) =>
    r.requiredDecision?.href ? [r.requiredDecision.href.replace(/^#/, '')] : [],
  );
  const base = { id: el.id, name: el.name ?? el.id, resultName: el.variable?.name ?? el.id, required };
  if (el.knowledgeRequirement?.length)
    problems.push(`${where}: business knowledge models are not supported by the embedded engine yet`);
  const logic = el.decisionLogic;
  if (logic?.$type === 'dmn:LiteralExpression') {
    const expression = logic.text?.trim() ?? '';
    checkFeel(expression, 'expression', `${where}: the literal expression`, problems);
    return { ...base, logic: { kind: 'literal', expression } };
  }
  const table: Table = {
    kind: 'table',
    hitPolicy: logic?.hitPolicy ?? 'UNIQUE',
    aggregation: logic?.aggregation,
    inputs: [],
    outputs: [],
    rules: [],
  };
  if (logic?.$type !== 'dmn:DecisionTable') {
    problems.push(`${where}: needs a decision table or a literal expression${logic ? ` (found ${logic.$type})` : ''}`);
    return { ...base, logic: table };
  }
  if (!HIT_POLICIES.has(table.hitPolicy)) problems.push(`${where}: hit policy "${table.hitPolicy}" is not supported`);
  if (table.aggregation !== undefined && !AGGREGATIONS.has(table.aggregation))
    problems.push(`${where}: aggregation "${table.aggregation}" is not supported`);
  for (const [i, input] of (logic.input ?? []).entries()) {
    const label = input.label ?? input.inputExpression?.text ?? input.id;
    const expression = input.inputExpression?.text?.trim() ?? '';
    if (!expression) problems.push(`${where}: input ${i + 1} "${label}" needs an input expression`);
    else checkFeel(expression, 'expression', `${where}: input expression of "${label}"`, problems);
    table.inputs.push({ label, expression });
  }
  const outputs = logic.output ?? [];
  if (outputs.length === 0) problems.push(`${where}: the decision table needs at least one output`);
  for (const [i, output] of outputs.entries()) {
    const name = output.name ?? '';
    if (outputs.length > 1 && !name)
      problems.push(`${where}: output ${i + 1} "${output.label ?? output.id}" needs a name (the key of the result)`);
    if (outputs.length > 1 && name && outputs.findIndex((o) => o.name === name) !== i)
      problems.push(`${where}: output name "${name}" is used twice`);
    table.outputs.push({ name, priorities: priorities(output.outputValues?.text) });
  }
  if (table.aggregation !== undefined && outputs.length > 1)
    problems.push(`${where}: aggregation ${table.aggregation} needs exactly one output`);
  if (
    (table.hitPolicy === 'PRIORITY' || table.hitPolicy === 'OUTPUT ORDER') &&
    table.outputs.every((o) => o.priorities.length === 0)
  ) {
    problems.push(
      `${where}: hit policy ${table.hitPolicy} ranks rows by the outputs' allowed values, but no output lists any`,
    );
  }
  for (const [r, rule] of (logic.rule ?? []).entries()) {
    const at = `${where}: rule ${r + 1} (${rule.id})`;
    const inputEntries = (rule.inputEntry ?? []).map((e) => e.text?.trim() ?? '');
    const outputEntries = (rule.outputEntry ?? []).map((e) => e.text?.trim() ?? '');
    if (inputEntries.length !== table.inputs.length)
      problems.push(`${at} has ${inputEntries.length} input entries for ${table.inputs.length} inputs`);
    if (outputEntries.length !== outputs.length)
      problems.push(`${at} has ${outputEntries.length} output entries for ${outputs.length} outputs`);
    inputEntries.forEach((text, i) => {
      if (!matchesAnything(text))
        checkFeel(text, 'unary tests', `${at}, input "${table.inputs[i]?.label ?? i + 1}": '${text}'`, problems);
    });
    outputEntries.forEach((text, i) => {
      if (text)
        checkFeel(text, 'expression', `${at}, output "${table.outputs[i]?.name || i + 1}": '${text}'`, problems);
    });
    table.rules.push({ id: rule.id, inputEntries, outputEntries });
  }
  return { ...base, logic: table };
}

/** Syntax only: feelin's parser recovers from errors by inserting error nodes, so the tree is searched for them. */
function checkFeel(text: string, kind: 'expression' | 'unary tests', what: string, problems: string[]): void {
  if (!text) {
    problems.push(`${what} is empty`);
    return;
  }
  const tree = kind === 'expression' ? parseExpression(text, {}, undefined) : parseUnaryTests(text, {}, undefined);
  let errorAt: number | undefined;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errorAt ??= node.from;
    },
  });
  if (errorAt !== undefined)
    problems.push(
      `${what} is not ${kind === 'expression' ? 'a valid FEEL expression' : 'valid FEEL unary tests'} (syntax error at character ${errorAt + 1})`,
    );
}

/** An output's allowed values (`"high","medium","low"`) as JSON strings, for ranking rows; no list ranks nothing. */
function priorities(text: string | undefined): string[] {
  if (!text?.trim()) return [];
  try {
    const values = evaluate(`[${text}]`, {}).value;
    return Array.isArray(values) ? values.map((v) => JSON.stringify(toJson(v))) : [];
  } catch {
    return [];
  }
}

/** Required decisions must exist and must not require themselves, or evaluation would never end. */
function checkRequirements(decisions: Map<string, Compiled>, problems: string[]): void {
  const visit = (d: Compiled, path: string[]): void => {
    for (const id of d.required) {
      const next = decisions.get(id);
      if (!next) problems.push(`decision "${d.name}" (${d.id}) requires decision '${id}', which is not in this file`);
      else if (path.includes(id))
        problems.push(`decisions require each other in a cycle: ${[...path, id].join(' → ')}`);
      else visit(next, [...path, id]);
    }
  };
  for (const d of decisions.values()) visit(d, [d.id]);
}

// ---- evaluation ----

function matchesAnything(entry: string): boolean {
  return entry === '' || entry === '-';
}

function run(decisions: Map<string, Compiled>, d: Compiled, variables: Record<string, unknown>): DecisionResult {
  const context: Record<string, unknown> = { ...variables };
  for (const id of d.required) {
    const required = decisions.get(id)!;
    context[required.resultName] = run(decisions, required, variables).output;
  }
  const fail = (message: string) =>
    new DecisionEvaluationError(d.id, `failed to evaluate decision '${d.id}' (${d.name}): ${message}`);
  const feel = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (error) {
      throw fail(`${what}: ${(error as Error).message}`);
    }
  };
  if (d.logic.kind === 'literal') {
    const { expression } = d.logic;
    return {
      decisionId: d.id,
      output: toJson(feel(`expression '${expression}'`, () => evaluate(expression, context).value)),
      matchedRules: [],
    };
  }
  const table = d.logic;
  const inputValues = table.inputs.map((input) =>
    feel(`input "${input.label}" ('${input.expression}')`, () => evaluate(input.expression, context).value),
  );
  const matched: number[] = [];
  for (const [r, rule] of table.rules.entries()) {
    const hit = rule.inputEntries.every(
      (entry, i) =>
        matchesAnything(entry) ||
        feel(
          `rule ${r + 1} (${rule.id}), input "${table.inputs[i].label}" '${entry}'`,
          () => unaryTest(entry, { ...context, '?': inputValues[i] }).value,
        ) === true,
    );
    if (hit) matched.push(r);
    if (hit && table.hitPolicy === 'FIRST') break; // Zeebe reports only the first match for FIRST
  }
  const rows = matched.map((r) => {
    const rule = table.rules[r];
    const values = rule.outputEntries.map((text, i) =>
      text
        ? toJson(
            feel(
              `rule ${r + 1} (${rule.id}), output "${table.outputs[i].name}" '${text}'`,
              () => evaluate(text, context).value,
            ),
          )
        : null,
    );
    return values.length === 1 ? values[0] : Object.fromEntries(table.outputs.map((o, i) => [o.name, values[i]]));
  });
  const inputs = () =>
    table.inputs.map((input, i) => `${input.label} = ${JSON.stringify(toJson(inputValues[i]))}`).join(', ');
  const rules = () => matched.map((r) => r + 1).join(', ');
  return {
    decisionId: d.id,
    output: applyHitPolicy(table, rows, () => `rules ${rules()} matched (${inputs()})`, fail),
    matchedRules: matched.map((r) => r + 1),
  };
}

function applyHitPolicy(
  table: Table,
  rows: unknown[],
  matches: () => string,
  fail: (message: string) => Error,
): unknown {
  switch (table.hitPolicy) {
    case 'UNIQUE':
      if (rows.length > 1) throw fail(`hit policy UNIQUE allows one matching rule, but ${matches()}`);
      return rows[0] ?? null;
    case 'ANY':
      if (new Set(rows.map((row) => JSON.stringify(row))).size > 1)
        throw fail(`hit policy ANY needs matching rules to agree, but ${matches()} with different outputs`);
      return rows[0] ?? null;
    case 'FIRST':
      return rows[0] ?? null;
    case 'PRIORITY':
      return byPriority(table, rows)[0] ?? null;
    // No match gives [] (COUNT: 0) for list policies. dmn-scala, and so Zeebe, gives null there instead.
    case 'OUTPUT ORDER':
      return byPriority(table, rows);
    case 'RULE ORDER':
      return rows;
  }
  // COLLECT
  if (table.aggregation === 'COUNT') return rows.length;
  if (table.aggregation === undefined) return rows;
  if (rows.length === 0) return null;
  const bad = rows.find((v) => typeof v !== 'number');
  if (bad !== undefined)
    throw fail(`aggregation ${table.aggregation} needs numbers, but got ${JSON.stringify(bad)} (${matches()})`);
  const numbers = rows as number[];
  return table.aggregation === 'SUM'
    ? numbers.reduce((a, b) => a + b, 0)
    : table.aggregation === 'MIN'
      ? Math.min(...numbers)
      : Math.max(...numbers);
}

/** Rows ranked output by output, by the position of their value in that output's allowed values; unlisted values last. */
function byPriority(table: Table, rows: unknown[]): unknown[] {
  const rank = (row: unknown): number[] =>
    table.outputs.map((o) => {
      const value = table.outputs.length === 1 ? row : (row as Record<string, unknown>)[o.name];
      const at = o.priorities.indexOf(JSON.stringify(value));
      return at < 0 ? Number.MAX_SAFE_INTEGER : at;
    });
  const ranked = rows.map((row) => ({ row, rank: rank(row) }));
  ranked.sort((a, b) => a.rank.map((x, i) => x - b.rank[i]).find((diff) => diff !== 0) ?? 0); // stable: ties keep rule order
  return ranked.map((r) => r.row);
}
