/**
 * The web modeler (admins; leaders may read): open any model — process, decision table or form — at any saved
 * version, edit it with the problems of the Camunda 8.8 checks shown as you edit (on the diagram for processes), save
 * a version, deploy one (refused with the problems listed when it does not pass), and see the history and which
 * version the engine runs. Unsaved edits are kept from being lost by a warning before leaving. A process can be tried
 * in the token simulation before it is deployed, and two of its versions compared (compare.ts).
 */
import './modeler.css';
import { ApiError, call, requireMe } from '../web/src/lib/api';
import { bpmnEditor, dmnEditor, formEditor, modelViewer, type Editor, type ModelProblem } from './editors';
import { el, shell, showError } from '../web/src/lib/shell';
import { actorName, t, when, type Word } from '../web/src/lib/i18n';
import { comparePanel, versionLabel, type Pickable } from './compare';
import { w } from './words';

interface ModelSummary {
  name: string;
  /** What people call it (a process or decision name; a form by its task). */
  title: string | null;
  kind: 'bpmn' | 'dmn' | 'form';
  latestVersion: number;
  deployedVersion: number | null;
}
interface VersionInfo {
  version: number;
  comment: string | null;
  savedBy: string;
  savedAt: string | null;
  errors: number;
  deployedAt: string | null;
}
interface Model {
  name: string;
  kind: ModelSummary['kind'];
  version: number;
  content: string;
  versions: VersionInfo[];
  running: Array<{ processDefinitionId: string; version: number }>;
}

const KIND: Record<ModelSummary['kind'], Word> = { bpmn: 'processes', dmn: 'decisions', form: 'forms' };

/** The version the engine runs: the one deployed last (version 0, the shipped file, until an admin deploys one). */
function deployedVersion(versions: VersionInfo[]): number {
  const deployed = versions
    .filter((v) => v.deployedAt)
    .sort((a, b) => String(b.deployedAt).localeCompare(String(a.deployedAt)))[0];
  return deployed?.version ?? 0;
}

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  page.classList.add('wide');
  const canEdit = me.roles.includes('admin');
  const params = new URLSearchParams(location.search);

  const modelSelect = el('select', { 'data-testid': 'model', 'aria-label': t('model') });
  const versionSelect = el('select', { 'data-testid': 'version', 'aria-label': t('version') });
  const comment = el('input', {
    type: 'text',
    'data-testid': 'comment',
    placeholder: t('versionComment'),
    maxlength: '500',
  });
  const save = el('button', { type: 'button', 'data-testid': 'save' }, t('saveVersion'));
  const deploy = el('button', { type: 'button', class: 'primary', 'data-testid': 'deploy' }, t('deploy'));
  const simulate = el(
    'button',
    { type: 'button', 'data-testid': 'simulate', 'aria-pressed': 'false', hidden: '' },
    w('simulate'),
  );
  const compareButton = el('button', { type: 'button', 'data-testid': 'compare', hidden: '' }, w('compare'));
  const state = el('span', { class: 'state', 'data-testid': 'state', role: 'status' });
  const running = el('p', { class: 'running', 'data-testid': 'running' });
  const toolbar = el(
    'section',
    { class: 'card toolbar' },
    modelSelect,
    versionSelect,
    ...(canEdit ? [comment, save, deploy, simulate] : []),
    compareButton,
    state,
  );
  const simulating = el('p', { class: 'simulating-note', 'data-testid': 'simulating', hidden: '' }, w('simulating'));
  const views = el('div', { class: 'tabs views', 'data-testid': 'views' });
  const canvas = el('div', { class: 'modeler-canvas', 'data-testid': 'canvas' });
  const properties = el('div', { class: 'modeler-properties', 'data-testid': 'properties' });
  const problemsCard = el('section', { class: 'card problems', 'data-testid': 'problems' });
  const historyCard = el('section', { class: 'card', 'data-testid': 'history' });
  page.append(
    toolbar,
    simulating,
    running,
    views,
    el('div', { class: 'modeler-body' }, canvas, properties),
    problemsCard,
    historyCard,
  );

  let editor: Editor | undefined;
  let model: Model | undefined;
  let dirty = false;
  let comparison: ReturnType<typeof comparePanel> | undefined;
  let lintTimer: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener('beforeunload', (event) => {
    if (dirty) event.preventDefault();
  });

  /** The toolbar and the note follow the simulation (switched by the button or by the editor's own key "t"). */
  const showSimulating = (active: boolean) => {
    simulate.setAttribute('aria-pressed', String(active));
    simulate.textContent = active ? w('simulateStop') : w('simulate');
    simulating.hidden = !active;
    for (const b of [save, deploy]) b.disabled = active;
  };
  simulate.addEventListener('click', () =>
    editor?.simulation?.toggle(simulate.getAttribute('aria-pressed') !== 'true'),
  );

  /** Opens the comparison card: any two versions of the model, or a version and the diagram as edited. */
  const openComparison = () => {
    if (!model || comparison) return;
    const name = model.name;
    const runs = deployedVersion(model.versions);
    const choices: Pickable[] = model.versions.map((v) => ({
      value: String(v.version),
      label: versionLabel(v, runs),
      load: async () => (await call<{ content: string }>('GET', `/diagrams/${name}/versions/${v.version}`)).content,
    }));
    const current = editor;
    if (canEdit && current)
      choices.unshift({ value: 'editing', label: w('compareEditing'), load: () => current.content() });
    const to = canEdit ? 'editing' : String(model.version);
    const from = String(runs !== model.version || to === 'editing' ? runs : (model.versions[1]?.version ?? runs));
    comparison = comparePanel(choices, { from, to }, () => (comparison = undefined));
    toolbar.after(comparison.card);
  };
  compareButton.addEventListener('click', openComparison);

  const setDirty = (value: boolean) => {
    dirty = value;
    state.textContent = value ? t('unsaved') : '';
  };

  const showProblems = (found: ModelProblem[]) => {
    editor?.mark(found);
    const errors = found.filter((p) => p.severity === 'error').length;
    const heading = el(
      'h2',
      {},
      `${t('checks')}：${errors === 0 && found.length === 0 ? t('noProblems') : `${errors} ${t('errors')} · ${found.length - errors} ${t('warnings')}`}`,
    );
    const list = el('ul', {});
    for (const p of found) {
      // The sentence first (it names the element); the id and the rule for whoever looks them up.
      const item = el(
        'li',
        { class: p.severity, 'data-testid': 'problem' },
        `${p.severity === 'error' ? '✖' : '⚠'} ${p.message} `,
        el('small', { class: 'problem-ref' }, [p.elementId, p.rule].filter(Boolean).join(' · ')),
      );
      if (p.elementId) {
        item.classList.add('clickable');
        item.addEventListener('click', () => editor?.reveal(p.elementId!));
      }
      list.append(item);
    }
    problemsCard.replaceChildren(heading, list);
  };

  const lint = async () => {
    if (!editor || !model || !canEdit) return;
    try {
      const { problems } = await call<{ problems: ModelProblem[] }>('POST', `/diagrams/${model.name}/lint`, {
        content: await editor.content(),
      });
      showProblems(problems);
    } catch (error) {
      showError(problemsCard, error);
    }
  };

  const showHistory = () => {
    if (!model) return;
    const runs = deployedVersion(model.versions);
    const engine = model.running.map((r) => `${r.processDefinitionId} v${r.version}`).join('，');
    // the engine's process ids are names of data, not words: translate="no"
    running.replaceChildren(
      `${t('runsVersion')}：${runs === 0 ? t('asShipped') : `v${runs}`}`,
      ...(engine ? [`（${t('engineVersion')} `, el('span', { translate: 'no' }, engine), '）'] : []),
    );
    const rows = model.versions.map((v) =>
      el(
        'tr',
        { 'data-testid': `history-${v.version}` },
        el('td', {}, `v${v.version}${v.version === runs ? ` · ${t('running')}` : ''}`),
        el('td', {}, v.comment ?? ''),
        el('td', {}, actorName(v.savedBy)),
        el('td', {}, when(v.savedAt)),
        el('td', {}, v.errors > 0 ? `${v.errors} ${t('errors')}` : '✓'),
        el('td', {}, v.deployedAt ? when(v.deployedAt) : '—'),
      ),
    );
    historyCard.replaceChildren(
      el('h2', {}, t('history')),
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', {}, t('version')),
            el('th', {}, t('versionComment')),
            el('th', {}, t('savedBy')),
            el('th', {}, t('savedAt')),
            el('th', {}, t('checks')),
            el('th', {}, t('deployedAt')),
          ),
        ),
        el('tbody', {}, ...rows),
      ),
    );
    versionSelect.replaceChildren(
      ...model.versions.map((v) =>
        el(
          'option',
          { value: String(v.version) },
          `v${v.version}${v.version === 0 ? ` · ${t('asShipped')}` : ''}${v.version === runs ? ` · ${t('running')}` : ''}`,
        ),
      ),
    );
    versionSelect.value = String(model.version);
  };

  /** Opens a model at a version (its latest when none is given) in the editor of its kind. */
  const open = async (name: string, version?: number) => {
    if (dirty && !confirm(t('discardChanges'))) {
      modelSelect.value = model?.name ?? name;
      return;
    }
    editor?.destroy();
    editor = undefined;
    comparison?.card.remove();
    comparison?.destroy();
    comparison = undefined;
    showSimulating(false);
    canvas.replaceChildren();
    properties.replaceChildren();
    views.replaceChildren();
    problemsCard.replaceChildren();
    const latest = await call<Model>('GET', `/diagrams/${name}`);
    const content =
      version === undefined || version === latest.version
        ? latest.content
        : (await call<{ content: string }>('GET', `/diagrams/${name}/versions/${version}`)).content;
    model = { ...latest, version: version ?? latest.version, content };
    showHistory();
    const at = { canvas, properties, views };
    canvas.dataset.kind = model.kind;
    // A reader who may not edit gets a viewer: nothing on the page can change the model.
    editor = !canEdit
      ? await modelViewer(at, model.kind, content)
      : model.kind === 'bpmn'
        ? await bpmnEditor(at, content, await call<unknown[]>('GET', '/element-templates'))
        : model.kind === 'dmn'
          ? await dmnEditor(at, content)
          : await formEditor(at, content);
    setDirty(false);
    simulate.hidden = !editor.simulation;
    compareButton.hidden = model.kind !== 'bpmn';
    editor.simulation?.onToggle(showSimulating);
    editor.onChange(() => {
      setDirty(true);
      clearTimeout(lintTimer);
      lintTimer = setTimeout(() => void lint(), 600);
    });
    window.history.replaceState(null, '', `?model=${encodeURIComponent(name)}&version=${model.version}`);
    await lint();
  };

  /** Saves what is in the editor as a new version; answers its number. */
  const saveVersion = async (): Promise<number> => {
    if (!editor || !model) throw new Error(t('noModel'));
    const saved = await call<{ version: number; problems: ModelProblem[] }>(
      'POST',
      `/diagrams/${model.name}/versions`,
      {
        content: await editor.content(),
        ...(comment.value.trim() ? { comment: comment.value.trim() } : {}),
      },
    );
    const latest = await call<Model>('GET', `/diagrams/${model.name}`);
    model = { ...latest, version: saved.version, content: latest.content };
    setDirty(false);
    comment.value = '';
    showHistory();
    showProblems(saved.problems);
    return saved.version;
  };

  save.addEventListener('click', () => {
    state.textContent = t('saving');
    saveVersion().then(
      (version) => (state.textContent = `${t('savedAs')} v${version}`),
      (error: unknown) => {
        state.textContent = '';
        showError(toolbar, error);
      },
    );
  });

  deploy.addEventListener('click', () => {
    if (!model) return;
    toolbar.querySelector('.error')?.remove();
    state.textContent = t('deploying');
    const name = model.name;
    (async () => {
      // Unsaved edits are saved first: what runs is always a saved version. Edits with errors are neither saved nor
      // deployed: a refused deploy leaves no new version behind.
      let version = model.version;
      if (dirty && editor) {
        const { problems } = await call<{ problems: ModelProblem[] }>('POST', `/diagrams/${name}/lint`, {
          content: await editor.content(),
        });
        if (problems.some((p) => p.severity === 'error')) {
          showProblems(problems);
          throw new Error(t('notDeployedNotSaved'));
        }
        version = await saveVersion();
      }
      const result = await call<{
        version: number;
        processes: Array<{ processDefinitionId: string; version: number }>;
      }>('POST', `/diagrams/${name}/versions/${version}/deploy`);
      const latest = await call<Model>('GET', `/diagrams/${name}`);
      model = { ...latest, version, content: model.content };
      showHistory();
      state.textContent = `${t('deployedAs')} v${result.version}${result.processes.length ? `（${result.processes.map((p) => `${p.processDefinitionId} v${p.version}`).join('，')}）` : ''}`;
      state.dataset.deployed = String(result.version);
    })().catch((error: unknown) => {
      state.textContent = '';
      if (error instanceof ApiError && Array.isArray((error.problem as { problems?: unknown }).problems)) {
        showProblems((error.problem as { problems: ModelProblem[] }).problems);
      }
      // The refusal's title says what happened; its problems are listed below and marked on the diagram.
      showError(
        toolbar,
        error instanceof ApiError && error.problem.title
          ? new Error(`${error.problem.title}：${error.message}`)
          : error,
      );
    });
  });

  modelSelect.addEventListener(
    'change',
    () => void open(modelSelect.value).catch((e: unknown) => showError(toolbar, e)),
  );
  versionSelect.addEventListener('change', () => {
    if (model) void open(model.name, Number(versionSelect.value)).catch((e: unknown) => showError(toolbar, e));
  });

  try {
    const { items } = await call<{ items: ModelSummary[] }>('GET', '/diagrams');
    for (const kind of ['bpmn', 'dmn', 'form'] as const) {
      const group = el('optgroup', { label: t(KIND[kind]) });
      for (const m of items.filter((i) => i.kind === kind))
        group.append(el('option', { value: m.name }, m.title ?? m.name));
      modelSelect.append(group);
    }
    const wanted = params.get('model');
    const first =
      items.find((i) => i.name === wanted) ?? items.find((i) => i.name === 'petition-handling.bpmn') ?? items[0];
    if (!first) return void problemsCard.replaceChildren(el('p', {}, t('noModel')));
    modelSelect.value = first.name;
    const version = params.get('version');
    await open(first.name, version !== null && first.name === wanted ? Number(version) : undefined);
  } catch (error) {
    showError(toolbar, error);
  }
}

void main();
