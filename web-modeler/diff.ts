/**
 * What changed between two versions of a process, in people's words: bpmn-js-differ compares the two models (read
 * with Camunda 8's extensions, so a changed job type or form counts as a change) and each difference becomes a line
 * naming the element by its name and kind — "修改 服务任务「计算法定期限」：名称 “…” → “…”".
 */
import { diff } from 'bpmn-js-differ';
import { elementKind, translate } from './translate';
import { w } from './words';

/** A moddle element as the differ hands it back. */
export interface DiffElement {
  $type: string;
  id?: string;
  name?: string;
  bpmnElement?: DiffElement;
  [key: string]: unknown;
}

export type ChangeKind = 'added' | 'removed' | 'changed' | 'layoutChanged';

export interface Change {
  kind: ChangeKind;
  elementId: string;
  /** The line shown: what happened to which element. */
  text: string;
}

/** The properties a change names, in the words of the properties panel (translate.ts has them in Chinese). */
const PROPERTY: Record<string, string> = {
  name: 'Name',
  documentation: 'Documentation',
  extensionElements: 'Implementation, forms and mappings',
  conditionExpression: 'Condition',
  default: 'Default flow',
  eventDefinitions: 'Event definition',
  loopCharacteristics: 'Multi-instance',
  incoming: 'Connections',
  outgoing: 'Connections',
  sourceRef: 'Connections',
  targetRef: 'Connections',
  attachedToRef: 'Attached to',
  cancelActivity: 'Interrupting',
  isInterrupting: 'Interrupting',
  $type: 'Type',
  processRef: 'Process',
  isExecutable: 'Executable',
};

/** Properties that change whenever the children do; the children are listed on their own. */
const CONTAINER = new Set(['flowElements', 'laneSets', 'artifacts', 'lanes', 'flowNodeRef', 'participants']);

/** "服务任务「计算法定期限」", or the id when the element has no name. */
export function describe(element: DiffElement | undefined, id: string): string {
  const kind = element ? elementKind(element.$type) : '';
  const name = element?.name?.trim();
  return `${kind}${name ? `「${name}」` : ` ${id}`}`;
}

const quote = (value: unknown) => (typeof value === 'string' ? `“${value}”` : '');

/** What changed in a changed element's properties, as words; undefined when only its children changed. */
function attributes(attrs: Record<string, { oldValue?: unknown; newValue?: unknown }>): string | undefined {
  const seen = new Set<string>();
  const parts: string[] = [];
  let other = false;
  for (const [path, values] of Object.entries(attrs)) {
    const key = path.replace(/^processRef\./, '').replace(/\[\d+\]$/, '');
    if (CONTAINER.has(key)) continue;
    const label = PROPERTY[key];
    if (!label) {
      other = true;
      continue;
    }
    if (seen.has(label)) continue;
    seen.add(label);
    // bpmn-js-differ 3.2 hands a changed plain value over as jsondiffpatch's [before, after] delta into
    // changed(model, key, newValue, oldValue): its `newValue` is the value before the change.
    parts.push(
      key === 'name' ? `${translate(label)} ${quote(values.newValue)} → ${quote(values.oldValue)}` : translate(label),
    );
  }
  if (other) parts.push(w('andSettings'));
  return parts.length > 0 ? parts.join('，') : undefined;
}

/**
 * The changes from `before` to `after` (the definitions two bpmn-js viewers read), added first, then changed,
 * moved and removed; an element whose properties changed is not listed again as moved.
 */
export function changesBetween(before: unknown, after: unknown): Change[] {
  const result = diff(before, after) as {
    _added: Record<string, DiffElement>;
    _removed: Record<string, DiffElement>;
    _changed: Record<string, { model: DiffElement; attrs: Record<string, { oldValue?: unknown; newValue?: unknown }> }>;
    _layoutChanged: Record<string, DiffElement>;
  };
  const changes: Change[] = [];
  for (const [id, element] of Object.entries(result._added))
    changes.push({ kind: 'added', elementId: id, text: `${w('added')} ${describe(element, id)}` });
  for (const [id, { model, attrs }] of Object.entries(result._changed)) {
    const what = attributes(attrs);
    if (what) changes.push({ kind: 'changed', elementId: id, text: `${w('changed')} ${describe(model, id)}：${what}` });
  }
  for (const [id, element] of Object.entries(result._layoutChanged)) {
    if (changes.some((c) => c.elementId === id) || !element) continue;
    changes.push({ kind: 'layoutChanged', elementId: id, text: `${w('layoutChanged')} ${describe(element, id)}` });
  }
  for (const [id, element] of Object.entries(result._removed))
    changes.push({ kind: 'removed', elementId: id, text: `${w('removed')} ${describe(element, id)}` });
  return changes;
}
