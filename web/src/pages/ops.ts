/**
 * 运维 (the operations console, admins): the Operate of this system. Without `?instance=`: every process version
 * with its instances running, completed and with incidents; a chosen version's diagram with its instances counted on
 * each element (running blue, incidents red) and its instances listed, incidents only if asked. With
 * `?instance=<key>`: that instance's diagram (where it stands, incidents in red), its incidents with a retry, its
 * jobs, its variables (mobile and ID numbers masked) with a way to set one, cancelling it with a reason, and what
 * admins did to it.
 */
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { call, requireMe } from '../lib/api';
import { el, shell, showError } from '../lib/shell';
import '@carbon/web-components/es/components/checkbox/index.js';
import { askReason } from '../lib/carbon';
import { dataTable, keysetPagination, listTable, tableRow } from '../lib/carbon-table';
import { t, when, WORD_KEYS, type Word } from '../lib/i18n';

type Json = Record<string, unknown>;
interface Version {
  processDefinitionKey: string;
  processDefinitionId: string;
  name: string;
  version: number;
  running: number;
  completed: number;
  incidents: number;
}
interface Count {
  elementId: string;
  active: number;
  completed: number;
  canceled: number;
  incidents: number;
}
interface InstancePage {
  instance: Json;
  case: { id: string; caseNo: string } | null;
  xml: string;
  statistics: Count[];
  incidents: Json[];
  jobs: Json[];
  variables: Array<{ name: string; value: string; scopeKey: string; truncated: boolean }>;
  operations: Array<{ at: string; actor: string; action: string; target: string | null; detail: Json }>;
}

/** A state in words: of an instance, an incident (`opIncident`) or a job (`opJob`), the engine's own name if unknown. */
const state = (s: unknown, kind: 'opState' | 'opIncident' | 'opJob' = 'opState') => {
  const word = `${kind}${String(s)}`;
  if (word in WORD_KEYS) return t(word as Word);
  const fallback = `opState${String(s)}`;
  return fallback in WORD_KEYS ? t(fallback as Word) : String(s);
};
/** A Carbon data table of the rows, or "none". */
const table = (testId: string, head: Word[], rows: HTMLElement[]) =>
  listTable(
    head.map((w) => t(w)),
    rows,
    { 'data-testid': testId },
    t('opNone'),
  );
/** A value as a cell's text: JSON for anything but a string or number. */
const text = (v: unknown): string =>
  v === null || v === undefined
    ? '—'
    : typeof v === 'string'
      ? v
      : typeof v === 'number'
        ? String(v)
        : JSON.stringify(v);
type Cell = Node | string | [Array<Node | string>, Record<string, string>];
const cell = (v: unknown): Cell => text(v);

/** The diagram with each element's counts as badges, and markers on the elements given; answers elements' names. */
async function diagram(
  box: HTMLElement,
  xml: string,
  counts: Count[],
  marks: Record<string, string[]>,
): Promise<(id: unknown) => string> {
  const viewer = new NavigatedViewer({ container: box });
  await viewer.importXML(xml);
  const canvas = viewer.get<{ zoom(level: string): void; addMarker(id: string, marker: string): void }>('canvas');
  const registry = viewer.get<{ get(id: string): unknown }>('elementRegistry');
  const overlays = viewer.get<{ add(id: string, overlay: { position: Json; html: HTMLElement }): void }>('overlays');
  canvas.zoom('fit-viewport');
  for (const c of counts) {
    if (!registry.get(c.elementId)) continue;
    if (c.active > 0)
      overlays.add(c.elementId, {
        position: { bottom: 10, left: -8 },
        html: el('span', { class: 'badge running', 'data-testid': `count-${c.elementId}` }, String(c.active)),
      });
    if (c.incidents > 0)
      overlays.add(c.elementId, {
        position: { bottom: 10, right: 8 },
        html: el('span', { class: 'badge incident', 'data-testid': `incidents-${c.elementId}` }, String(c.incidents)),
      });
  }
  for (const [marker, ids] of Object.entries(marks))
    for (const id of ids) if (registry.get(id)) canvas.addMarker(id, marker);
  return (id) => {
    const shape = registry.get(String(id)) as { businessObject?: { name?: string } } | undefined;
    return shape?.businessObject?.name ?? String(id);
  };
}

async function versions(page: HTMLElement, params: URLSearchParams): Promise<void> {
  const { items } = await call<{ items: Version[] }>('GET', '/ops/processes');
  // The version asked for; else the first with incidents, which is what needs a look.
  const chosen =
    items.find((v) => v.processDefinitionKey === params.get('process')) ??
    items.find((v) => v.incidents > 0) ??
    items[0];
  const rows = items.map((v) =>
    tableRow(
      {
        ...(v === chosen ? { class: 'chosen' } : {}),
        'data-testid': `version-${v.processDefinitionId}-${v.version}`,
      },
      [
        el('a', { href: `/ops.html?process=${v.processDefinitionKey}` }, v.name),
        [[String(v.version)], { class: 'num' }],
        [[String(v.running)], { class: 'num' }],
        [[String(v.completed)], { class: 'num' }],
        [[String(v.incidents)], { class: v.incidents > 0 ? 'num overdue' : 'num' }],
      ],
    ),
  );
  page.append(
    el(
      'section',
      { class: 'card' },
      el('h2', {}, t('opProcesses')),
      table('versions', ['opProcess', 'opVersion', 'opRunning', 'opCompleted', 'opIncidents'], rows),
    ),
  );
  if (!chosen) return;
  const box = el('div', { class: 'diagram', 'data-testid': 'ops-diagram' });
  const list = el('section', { class: 'card', 'data-testid': 'instances' });
  page.append(el('section', { class: 'card' }, el('h2', {}, `${chosen.name} · v${chosen.version}`), box), list);
  const { xml, statistics } = await call<{ xml: string; statistics: Count[] }>(
    'GET',
    `/ops/processes/${chosen.processDefinitionKey}`,
  );
  await diagram(box, xml, statistics, {});
  await instances(list, chosen, params);
}

const PAGE_SIZES = [20, 50, 100];

/** A version's instances, newest first, a page at a time (Carbon pagination over the API's keyset pages). */
async function instances(list: HTMLElement, version: Version, params: URLSearchParams): Promise<void> {
  const incidentsOnly = params.get('incidents') === 'true';
  const address = (incidents: boolean, limit: string | null) => {
    const query = new URLSearchParams({ process: version.processDefinitionKey });
    if (incidents) query.set('incidents', 'true');
    if (limit) query.set('limit', limit);
    return `/ops.html?${query.toString()}`;
  };
  const only = el('cds-checkbox' as 'div', { 'data-testid': 'only-incidents' }, t('opOnlyIncidents'));
  if (incidentsOnly) only.setAttribute('checked', '');
  only.addEventListener('cds-checkbox-changed', (event) => {
    const { checked } = (event as CustomEvent<{ checked: boolean }>).detail;
    location.href = address(checked, params.get('limit'));
  });
  const size = Number(params.get('limit'));
  const pageSize = PAGE_SIZES.includes(size) ? size : 50;
  const { table: instanceTable, body } = dataTable(
    (['opInstance', 'caseNo', 'opState', 'opStarted'] as Word[]).map((w) => ({ label: t(w) })),
    { 'data-testid': 'instance-list' },
  );
  const pager = keysetPagination({
    pageSize,
    pageSizes: PAGE_SIZES,
    none: t('opNone'),
    attrs: { 'data-testid': 'instance-pages' },
    load: async (after) => {
      const query = new URLSearchParams({
        processDefinitionKey: version.processDefinitionKey,
        limit: String(pageSize),
      });
      if (incidentsOnly) query.set('incidents', 'true');
      if (after) query.set('after', after);
      const answer = await call<{ items: Json[]; next: string | null }>('GET', `/ops/instances?${query.toString()}`);
      body.replaceChildren(
        ...answer.items.map((i) => {
          const key = String(i.processInstanceKey);
          return tableRow({ 'data-testid': 'instance-row' }, [
            [[el('a', { href: `/ops.html?instance=${key}` }, key)], { class: 'num' }],
            [[text(i.caseNo)], { class: 'num' }],
            [[state(i.state)], { class: i.hasIncident ? 'overdue' : '' }],
            [[when(String(i.startDate))], { class: 'num' }],
          ]);
        }),
      );
      return { count: answer.items.length, next: answer.next };
    },
    onPageSize: (limit) => (location.href = address(incidentsOnly, String(limit))),
    onError: (error) => showError(list, error),
  });
  list.append(el('h2', {}, t('opInstances')), el('div', { class: 'options' }, only), instanceTable, pager.element);
  await pager.start();
}

/** What to do on the instance, each followed by the instance as it now stands. */
function act(page: HTMLElement, key: string, path: string, body: Json): Promise<void> {
  return call<InstancePage>('POST', path, body).then(
    () => {
      location.href = `/ops.html?instance=${key}`;
    },
    (error: unknown) => showError(page, error),
  );
}

function incidentRows(page: HTMLElement, key: string, p: InstancePage, name: (id: unknown) => string): HTMLElement[] {
  return p.incidents.map((i) => {
    const retry = el('button', { type: 'button', 'data-testid': 'retry' }, t('opRetry'));
    retry.addEventListener('click', () => void act(page, key, `/ops/incidents/${String(i.incidentKey)}/retry`, {}));
    return tableRow({ 'data-testid': 'incident-row' }, [
      cell(name(i.elementId)),
      cell(i.errorType),
      [[text(i.errorMessage)], { class: 'clip' }],
      cell(state(i.state, 'opIncident')),
      i.state === 'ACTIVE' ? retry : '',
    ]);
  });
}

function variableForm(page: HTMLElement, key: string): HTMLFormElement {
  const name = el('input', { name: 'name', required: '', 'data-testid': 'var-name' });
  const value = el('input', { name: 'value', required: '', 'data-testid': 'var-value' });
  const form = el(
    'form',
    { class: 'toolbar', 'data-testid': 'var-form' },
    el('label', { class: 'field' }, el('span', {}, t('opName')), name),
    el('label', { class: 'field' }, el('span', {}, t('opValue')), value),
    el('button', { type: 'submit' }, t('opSetVariable')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(page, key, `/ops/instances/${key}/variables`, { name: name.value.trim(), value: value.value });
  });
  return form;
}

/** Cancelling an instance cannot be undone: a Carbon modal asks for the reason, which goes into the log. */
function cancelForm(page: HTMLElement, key: string): HTMLElement {
  const button = el(
    'button',
    { type: 'button', class: 'primary danger', 'data-testid': 'cancel-instance' },
    t('opCancel'),
  );
  button.addEventListener('click', () => {
    void askReason({
      heading: t('opCancel'),
      text: t('opCancelAsk'),
      label: t('opReason'),
      confirm: t('opCancelConfirm'),
      danger: true,
      testid: 'cancel-form',
    }).then((reason) => {
      if (reason) void act(page, key, `/ops/instances/${key}/cancel`, { reason });
    });
  });
  return el('div', { class: 'toolbar' }, el('p', { class: 'hint' }, t('opCancelAsk')), button);
}

async function instancePage(page: HTMLElement, key: string): Promise<void> {
  const p = await call<InstancePage>('GET', `/ops/instances/${encodeURIComponent(key)}`);
  const i = p.instance;
  const running = i.state === 'ACTIVE';
  page.append(
    el('p', {}, el('a', { href: `/ops.html?process=${String(i.processDefinitionKey)}` }, t('opBack'))),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, `${String(i.processDefinitionName ?? i.processDefinitionId)} · ${key}`),
      el('p', { 'data-testid': 'instance-state' }, `${t('opState')}：${state(i.state)}`),
      p.case ? el('p', {}, el('a', { href: `/case.html?id=${p.case.id}` }, p.case.caseNo)) : '',
      el('div', { class: 'diagram', 'data-testid': 'ops-diagram' }),
    ),
  );
  const withIncident = p.statistics.filter((c) => c.incidents > 0).map((c) => c.elementId);
  const active = p.statistics.filter((c) => c.active > 0 && c.incidents === 0).map((c) => c.elementId);
  const name = await diagram(page.querySelector('[data-testid="ops-diagram"]')!, p.xml, p.statistics, {
    'highlight-active': active,
    'highlight-incident': withIncident,
  });
  const jobRows = p.jobs.map((j) =>
    tableRow({ 'data-testid': 'job-row' }, [
      cell(name(j.elementId)),
      cell(j.type),
      cell(state(j.state, 'opJob')),
      [[text(j.retries)], { class: 'num' }],
      [[text(j.errorMessage)], { class: 'clip' }],
    ]),
  );
  const variableRows = p.variables.map((v) =>
    tableRow({ 'data-testid': 'variable-row' }, [
      v.name,
      [[v.value], { class: 'clip' }],
      cell(v.scopeKey === key ? '' : v.scopeKey),
    ]),
  );
  const logRows = p.operations.map((o) =>
    tableRow({}, [
      [[when(o.at)], { class: 'num' }],
      cell(o.actor),
      cell(t(`op-${o.action}` as Word)),
      cell(o.target ?? o.detail.reason),
    ]),
  );
  page.append(
    el(
      'section',
      { class: 'card' },
      el('h2', {}, t('opIncidents')),
      table(
        'incidents',
        ['opElement', 'opErrorType', 'opError', 'opState', 'opRetry'],
        incidentRows(page, key, p, name),
      ),
    ),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, t('opJobs')),
      table('jobs', ['opElement', 'opJobType', 'opState', 'opRetries', 'opError'], jobRows),
    ),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, t('opVariables')),
      table('variables', ['opName', 'opValue', 'opElement'], variableRows),
      running ? variableForm(page, key) : '',
    ),
    running ? el('section', { class: 'card' }, el('h2', {}, t('opCancel')), cancelForm(page, key)) : '',
    el(
      'section',
      { class: 'card' },
      el('h2', {}, t('opLog')),
      table('operations', ['opWhen', 'opWho', 'opAction', 'opTarget'], logRows),
    ),
  );
}

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  page.classList.add('wide');
  page.append(el('h1', {}, t('navOps')));
  const params = new URLSearchParams(location.search);
  try {
    const key = params.get('instance');
    if (key) await instancePage(page, key);
    else await versions(page, params);
  } catch (error) {
    showError(page, error);
  }
}

void main();
