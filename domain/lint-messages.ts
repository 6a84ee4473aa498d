/**
 * The model checks' findings as sentences an admin understands, in Simplified Chinese and English, naming the element
 * by its name: bpmnlint's recommended rules, Camunda 8.8 compatibility (bpmnlint-plugin-camunda-compat) and FEEL
 * syntax errors (@bpmn-io/feel-lint) write terse English such as "Element of type <zeebe:TaskDefinition> must have
 * property <type>"; this is the one table that turns them into "服务任务「计算法定期限」没有填写作业类型……".
 *
 * It runs where the checks run (server/model-lint.ts), so the modeler's live checks and the refusal of a deploy say
 * the same; the API answers in the reader's language (the pages send it as Accept-Language). A message the table does
 * not know is kept, after the element's name.
 */
import { BPMNLINT } from './lint-messages-bpmnlint';
import {
  cap,
  propertyWord,
  subjectWords,
  typeWord,
  type Bilingual,
  type LintSubject,
  type Sentence,
} from './lint-words';

export type { Bilingual, LintSubject };

/** "Camunda 8.9 or newer" as a clause, when the message names a version. */
const since = (version: string | undefined): Bilingual =>
  version
    ? { zh: `（Camunda ${version} 及以上版本才支持）`, en: ` (only from Camunda ${version} on)` }
    : { zh: '（Camunda 8.8 不支持）', en: ' (not supported by Camunda 8.8)' };

/** The type's part of the element: "的任务定义" when it is an extension of the element, nothing when it is the element. */
const part = (type: string, subject: LintSubject | undefined): Bilingual =>
  type === subject?.type ? { zh: '', en: '' } : { zh: `的${typeWord(type).zh}`, en: `'s ${typeWord(type).en}` };

/** `<a>, <b> or <c>` as words. */
const names = (list: string, type: string, joiner: Bilingual): Bilingual => {
  const each = [...list.matchAll(/<([^>]+)>/g)].map((x) => propertyWord(x[1], type));
  return {
    zh: each.map((w) => `「${w.zh}」`).join(joiner.zh),
    en: each.map((w) => w.en).join(joiner.en),
  };
};

/** Each known message, most specific first; the first whose pattern matches writes the sentence. */
const TABLE: Array<[RegExp, Sentence]> = [
  // Camunda 8.8 compatibility
  [
    /^Element of type <([^>]+)> must have property <([^>]+)> if it has property <([^>]+)>$/,
    (m, who, s) => ({
      zh: `${who.zh}${part(m[1], s).zh}设置了「${propertyWord(m[3], m[1]).zh}」，也必须设置「${propertyWord(m[2], m[1]).zh}」。`,
      en: `${cap(who.en)}${part(m[1], s).en} sets the ${propertyWord(m[3], m[1]).en}, so it must also set the ${propertyWord(m[2], m[1]).en}.`,
    }),
  ],
  [
    /^Element of type <([^>]+)> without property <([^>]+)> only allowed by Camunda ([\d.]+) or newer$/,
    (m, who, s) => ({
      zh: `${who.zh}${part(m[1], s).zh}没有设置「${propertyWord(m[2], m[1]).zh}」${since(m[3]).zh}，请填写。`,
      en: `${cap(who.en)}${part(m[1], s).en} has no ${propertyWord(m[2], m[1]).en}${since(m[3]).en}; fill it in.`,
    }),
  ],
  [
    /^Element of type <([^>]+)> must have property <([^>]+)>$/,
    (m, who, s) => ({
      zh: `${who.zh}${part(m[1], s).zh}没有填写「${propertyWord(m[2], m[1]).zh}」，请在属性面板中填写。`,
      en: `${cap(who.en)}${part(m[1], s).en} has no ${propertyWord(m[2], m[1]).en}; fill it in in the properties panel.`,
    }),
  ],
  [
    /^Element of type <([^>]+)> must have property ((?:<[^>]+>,? )+(or|and) <[^>]+>)$/,
    (m, who, s) => {
      const or = m[3] === 'or';
      const list = names(m[2], m[1], or ? { zh: '或', en: ' or ' } : { zh: '和', en: ' and ' });
      return {
        zh: `${who.zh}${part(m[1], s).zh}必须设置${list.zh}${or ? '其中之一' : ''}。`,
        en: `${cap(who.en)}${part(m[1], s).en} must have ${or ? 'one of ' : ''}${list.en}.`,
      };
    },
  ],
  [
    /^Element of type <([^>]+)> must have one extension element of type (.+)$/,
    (m, who) => {
      const types = [...m[2].matchAll(/<([^>]+)>/g)].map((x) => typeWord(x[1]));
      return {
        zh: `${who.zh}缺少${types.map((t) => t.zh).join('或')}，请在属性面板中设置。`,
        en: `${cap(who.en)} has no ${types.map((t) => t.en).join(' or ')}; set it in the properties panel.`,
      };
    },
  ],
  [
    /^Element of type <([^>]+)> must have one property <incoming> of type <bpmn:SequenceFlow>$/,
    (_m, who) => ({
      zh: `${who.zh}必须有一条流入的顺序流。`,
      en: `${cap(who.en)} must have one incoming sequence flow.`,
    }),
  ],
  [
    /^Element of type <bpmn:AdHocSubProcess> must contain at least one activity$/,
    (_m, who) => ({ zh: `${who.zh}里至少要有一个活动。`, en: `${cap(who.en)} must contain at least one activity.` }),
  ],
  [
    /^Element of type <([^>]+)> with event definition of type <([^>]+)> (?:not allowed|only allowed by Camunda ([\d.]+) or newer)$/,
    (m, who) => ({
      zh: `${who.zh}：不能使用${typeWord(m[2]).zh}类型的${typeWord(m[1]).zh}${since(m[3]).zh}。`,
      en: `${cap(who.en)}: a ${typeWord(m[1]).en} of type ${typeWord(m[2]).en} cannot be used${since(m[3]).en}.`,
    }),
  ],
  [
    /^Element of type <([^>]+)> with no event definition (?:not allowed|only allowed by Camunda ([\d.]+) or newer)$/,
    (m, who) => ({
      zh: `${who.zh}：${typeWord(m[1]).zh}必须设定类型（如消息、定时器）${since(m[2]).zh}。`,
      en: `${cap(who.en)}: a ${typeWord(m[1]).en} needs a type such as message or timer${since(m[2]).en}.`,
    }),
  ],
  [
    /^Element of type <([^>]+)> (?:not allowed|only allowed by Camunda ([\d.]+) or newer)$/,
    (m, who) => ({
      zh: `${who.zh}：不能使用${typeWord(m[1]).zh}${since(m[2]).zh}。`,
      en: `${cap(who.en)}: a ${typeWord(m[1]).en} cannot be used${since(m[2]).en}.`,
    }),
  ],
  [
    /^Multiple elements of type <bpmn:StartEvent> with no event definition not allowed/,
    (_m, who) => ({
      zh: `${who.zh}中只能有一个不带类型的开始事件。`,
      en: `${cap(who.en)} may have only one blank start event.`,
    }),
  ],
  [
    /^Element of type <bpmn:ReceiveTask> not allowed as event-based gateway target$/,
    (_m, who) => ({
      zh: `${who.zh}：事件网关之后不能接接收任务，请改用消息中间捕获事件。`,
      en: `${cap(who.en)}: an event-based gateway cannot lead to a receive task; use a message catch event.`,
    }),
  ],
  [
    /^Property <conditionExpression> only allowed if source is of type/,
    (_m, who) => ({
      zh: `${who.zh}：只有从排他网关或包容网关出发的顺序流才能设置条件。`,
      en: `${cap(who.en)}: only a flow leaving an exclusive or inclusive gateway may have a condition.`,
    }),
  ],
  [
    /^Property <([^>]+)> of type <([^>]+)> (?:not allowed|only allowed by Camunda ([\d.]+) or newer)$/,
    (m, who) => ({
      zh: `${who.zh}的「${propertyWord(m[1]).zh}」不能是${typeWord(m[2]).zh}${since(m[3]).zh}。`,
      en: `${cap(who.en)}: its ${propertyWord(m[1]).en} cannot be a ${typeWord(m[2]).en}${since(m[3]).en}.`,
    }),
  ],
  [
    /^Property <([^>]+)> must have value of <([^>]+)>$/,
    (m, who) => ({
      zh: `${who.zh}的「${propertyWord(m[1]).zh}」必须是 ${m[2]}。`,
      en: `${cap(who.en)}: its ${propertyWord(m[1]).en} must be ${m[2]}.`,
    }),
  ],
  [
    /^Property <([^>]+)> must have expression value$/,
    (m, who) => ({
      zh: `${who.zh}的「${propertyWord(m[1]).zh}」必须是以“=”开头的 FEEL 表达式。`,
      en: `${cap(who.en)}: its ${propertyWord(m[1]).en} must be a FEEL expression starting with "=".`,
    }),
  ],
  [
    /^Property <([^>]+)> is not a valid FEEL expression$/,
    (m, who) => ({
      zh: `${who.zh}的「${propertyWord(m[1]).zh}」不是有效的 FEEL 表达式，请检查括号、引号和运算符。`,
      en: `${cap(who.en)}: its ${propertyWord(m[1]).en} is not a valid FEEL expression.`,
    }),
  ],
  [
    /^Property <([^>]+)> (?:not allowed|only allowed by Camunda ([\d.]+) or newer)$/,
    (m, who) => ({
      zh: `${who.zh}不能设置「${propertyWord(m[1]).zh}」${since(m[2]).zh}。`,
      en: `${cap(who.en)} cannot have a ${propertyWord(m[1]).en}${since(m[2]).en}.`,
    }),
  ],
  [
    /^(?:Property value|Expression value) of <(.*)> (?:not allowed|only allowed by Camunda ([\d.]+)(?: or newer)?)$/,
    (m, who) => ({
      zh: `${who.zh}：不能使用取值「${m[1]}」${since(m[2]).zh}。`,
      en: `${cap(who.en)}: the value "${m[1]}" cannot be used${since(m[2]).en}.`,
    }),
  ],
  [
    /^Extension element of type <([^>]+)> (?:not allowed|only allowed by Camunda ([\d.]+)(?: or newer)?)$/,
    (m, who) => ({
      zh: `${who.zh}：不能使用${typeWord(m[1]).zh}${since(m[2]).zh}。`,
      en: `${cap(who.en)}: ${typeWord(m[1]).en} cannot be used${since(m[2]).en}.`,
    }),
  ],
  [
    /^Propert(?:ies|y) of type <([^>]+)> ha(?:ve|s) property <([^>]+)> with duplicate value of <(.*)>$/,
    (m, who) => ({
      zh: `${who.zh}有多个${typeWord(m[1]).zh}的「${propertyWord(m[2], m[1]).zh}」都是「${m[3]}」，不能重复。`,
      en: `${cap(who.en)} has more than one ${typeWord(m[1]).en} with the ${propertyWord(m[2], m[1]).en} "${m[3]}".`,
    }),
  ],
  [
    /^Properties of type <([^>]+)> have properties with duplicate values/,
    (m, who) => ({
      zh: `${who.zh}有重复的${typeWord(m[1]).zh}，请删去重复的一项。`,
      en: `${cap(who.en)} has duplicate ${typeWord(m[1]).en} entries; remove the duplicate.`,
    }),
  ],
  [
    /^FEEL function <([^>]+)> requires Camunda ([\d.]+)/,
    (m, who) => ({
      zh: `${who.zh}用到的 FEEL 函数 ${m[1]} 需要 Camunda ${m[2]} 及以上版本。`,
      en: `${cap(who.en)} uses the FEEL function ${m[1]}, which needs Camunda ${m[2]} or newer.`,
    }),
  ],
  [
    /^Loop detected: (.+)$/,
    (m, who) => ({
      zh: `${who.zh}处在一个没有等待点的循环中：${m[1].replace(/ -> /g, ' → ')}。`,
      en: `${cap(who.en)} is on a loop with nothing to wait for: ${m[1].replace(/ -> /g, ' → ')}.`,
    }),
  ],
  [
    /^A <([^>]+)> must be expanded$/,
    (_m, who) => ({ zh: `${who.zh}必须展开显示。`, en: `${cap(who.en)} must be drawn expanded.` }),
  ],
  [
    /^Embedded forms on start events are deprecated/,
    (_m, who) => ({
      zh: `${who.zh}使用了内嵌表单，请改为关联表单（表单编号）。`,
      en: `${cap(who.en)} uses an embedded form; link a form by its ID instead.`,
    }),
  ],
  ...BPMNLINT,
];

/** A finding of bpmnlint or Camunda's rules as sentences naming the element; an unknown one after the element's name. */
export function explainLint(message: string, subject?: LintSubject): Bilingual {
  const who = subjectWords(subject);
  for (const [pattern, sentence] of TABLE) {
    const m = pattern.exec(message);
    if (m) return sentence(m, who, subject);
  }
  return { zh: `${who.zh}：${message}`, en: `${cap(who.en)}: ${message}` };
}

/** FEEL's grammar parts as feel-lint names them ("Incomplete <Comparison>"). */
const FEEL_PARTS: Record<string, string> = {
  Comparison: '比较',
  ArithmeticExpression: '算术运算',
  FunctionInvocation: '函数调用',
  List: '列表',
  Context: '上下文（{…}）',
  IfExpression: 'if 表达式',
  ForExpression: 'for 表达式',
  QuantifiedExpression: 'some/every 表达式',
  FilterExpression: '过滤条件（[…]）',
  PathExpression: '取属性',
  StringLiteral: '字符串',
  Interval: '区间',
  ParenthesizedExpression: '括号',
  Disjunction: 'or',
  Conjunction: 'and',
};

/** A FEEL syntax finding of @bpmn-io/feel-lint on one expression, as sentences. */
export function explainFeel(expression: string, message: string, subject?: LintSubject): Bilingual {
  const where = subject ? subjectWords(subject) : undefined;
  const zhWhere = where ? `${where.zh}的` : '';
  const enWhere = where ? ` (${where.en})` : '';
  const incomplete = /^Incomplete <([^>]+)>$/.exec(message);
  const unknown = /^Unrecognized token in <([^>]+)>$/.exec(message);
  const partName = (m: RegExpExecArray) => FEEL_PARTS[m[1]] ?? m[1];
  const zh = incomplete
    ? `${zhWhere}表达式「${expression}」没有写完整（${partName(incomplete)}缺少内容）。`
    : unknown
      ? `${zhWhere}表达式「${expression}」中有无法识别的写法（在${partName(unknown)}中）。`
      : `${zhWhere}表达式「${expression}」有误：${message}`;
  return { zh, en: `'${expression}'${enWhere}: ${message}` };
}

/** A problem's message in both languages: "中文 / English" (the project's way), and the halves. */
export function bilingual(text: Bilingual): { message: string; text: Bilingual } {
  return { message: `${text.zh} / ${text.en}`, text };
}

/** The problem as a reader of `lang` is shown it: its message in that language (when the checks wrote both). */
export function inLanguage<P extends { message: string }>(problem: P, lang: 'zh' | 'en'): P {
  const { text, ...rest } = problem as P & { text?: Bilingual };
  return { ...rest, message: text?.[lang] ?? problem.message } as P;
}

/** A moddle element as far as `subjectsOf` reads it. */
interface Element {
  $type: string;
  id?: string;
  name?: string;
  [key: string]: unknown;
}

/** Every element of a BPMN model that has an id, by id: what the sentences name it by. */
export function subjectsOf(root: unknown): Map<string, LintSubject> {
  const found = new Map<string, LintSubject>();
  const walk = (node: Element) => {
    if (node.id) found.set(node.id, { id: node.id, name: node.name, type: node.$type });
    for (const key of ['rootElements', 'flowElements', 'participants', 'laneSets', 'lanes', 'artifacts']) {
      const children = node[key];
      if (Array.isArray(children)) for (const child of children as Element[]) walk(child);
    }
  };
  if (root && typeof root === 'object') walk(root as Element);
  return found;
}
