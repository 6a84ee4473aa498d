/**
 * The case page's legal part (信访工作条例): the procedure the case is in, its legal clocks (acceptance, handling
 * opinion, review, re-review) with due dates and states, the reviews asked for with the form reception enters a
 * request in, the final link (Art 36), and what the petitioner was told when.
 */
import { call, type Me } from '../lib/api';
import { el, showError } from '../lib/shell';
import { eventName, lang, when } from '../lib/i18n';

interface LegalClock {
  name: 'acceptance' | 'handling' | 'review' | 're-review';
  startedAt: string | null;
  dueAt: string | null;
  doneAt: string | null;
  state: string;
  extendedByDays?: number;
  originalDueAt?: string | null;
}
interface Review {
  kind: 'review' | 're-review';
  reasons: string;
  requestedAt: string;
  opinionReceivedAt: string;
  dueAt: string;
  answeredAt: string | null;
  outcome: 'upheld' | 'revised' | null;
  opinion: string | null;
}
export interface LegalPage {
  procedure: string;
  legalClocks: LegalClock[];
  reviewRequestUntil: string | null;
  reviews: Review[];
  finalOf: { id: string; caseNo: string } | null;
  finalRepeats: Array<{ id: string; caseNo: string }>;
  notices: Array<{ template: string; channel: string; status: string; text: string; at: string }>;
}

type Text = { zh: string; en: string };
const say = (text: Text) => text[lang()];

const WORDS = {
  title: { zh: '法定程序与期限', en: 'Legal procedure and clocks' },
  procedure: { zh: '当前程序', en: 'Procedure' },
  clock: { zh: '期限', en: 'Clock' },
  started: { zh: '起算', en: 'From' },
  due: { zh: '届满', en: 'Due' },
  done: { zh: '完成', en: 'Done' },
  state: { zh: '状态', en: 'State' },
  extended: { zh: '已延长', en: 'extended by' },
  days: { zh: '日', en: 'days' },
  originally: { zh: '原定', en: 'was' },
  requestUntil: { zh: '信访人可请求复查（复核）至', en: 'The petitioner may ask for a review until' },
  reviews: { zh: '复查与复核', en: 'Review and re-review' },
  requested: { zh: '请求', en: 'Asked' },
  received: { zh: '收到原意见', en: 'Opinion received' },
  reasons: { zh: '理由', en: 'Reasons' },
  outcome: { zh: '结论', en: 'Outcome' },
  opinion: { zh: '书面意见', en: 'Written opinion' },
  pending: { zh: '审查中', en: 'Being examined' },
  enter: { zh: '登记复查（复核）请求', en: 'Enter a review request' },
  kind: { zh: '请求类别', en: 'Kind' },
  receivedAt: { zh: '信访人收到书面意见的日期', en: 'Day the petitioner received the written opinion' },
  submit: { zh: '登记请求', en: 'Enter the request' },
  notices: { zh: '告知信访人记录', en: 'What the petitioner was told' },
  noNotices: { zh: '尚未告知信访人', en: 'Nothing sent to the petitioner yet' },
  finalOf: {
    zh: '本件为复核终局后就同一事项的再次信访，已关联至终局案件',
    en: 'A new petition on a final matter, linked to the final case',
  },
  notAgain: { zh: '不再受理（第三十六条）', en: 'not accepted again (Art 36)' },
  finalRepeats: {
    zh: '复核意见为终局意见；其后关联的再次信访',
    en: 'The re-review opinion is final; petitions linked to it since',
  },
} satisfies Record<string, Text>;

const PROCEDURE: Record<string, Text> = {
  acceptance: { zh: '受理审查（15日内告知是否受理）', en: 'Acceptance (reply within 15 days)' },
  handling: { zh: '办理（60日内出具处理意见）', en: 'Handling (opinion within 60 days)' },
  linked: { zh: '关联件（随原件办理）', en: 'Linked repeat (follows its case)' },
  closed: { zh: '已出具处理意见（可请求复查）', en: 'Opinion given (a review may be asked for)' },
  'not-accepted': { zh: '不予受理或已转送', en: 'Not accepted or passed on' },
  withdrawn: { zh: '信访人已撤回', en: 'Withdrawn' },
  review: { zh: '复查中（第三十五条）', en: 'Under review (Art 35)' },
  'review-answered': { zh: '已复查（可请求复核）', en: 'Reviewed (a re-review may be asked for)' },
  're-review': { zh: '复核中（第三十六条）', en: 'Under re-review (Art 36)' },
  final: { zh: '已复核，终局', en: 'Re-reviewed: final' },
  'final-repeat': { zh: '终局事项的再次信访（不再受理）', en: 'Repeat of a final matter (not accepted again)' },
};
const CLOCK: Record<LegalClock['name'], Text> = {
  acceptance: { zh: '告知是否受理（15日）', en: 'Acceptance reply (15 days)' },
  handling: { zh: '出具处理意见（60日）', en: 'Handling opinion (60 days)' },
  review: { zh: '复查意见（30日）', en: 'Review opinion (30 days)' },
  're-review': { zh: '复核意见（30日）', en: 'Re-review opinion (30 days)' },
};
const STATE: Record<string, Text> = {
  'not-started': { zh: '未起算', en: 'not started' },
  running: { zh: '计时中', en: 'running' },
  'due-soon': { zh: '即将届满', en: 'due soon' },
  overdue: { zh: '已超期', en: 'overdue' },
  met: { zh: '按期完成', en: 'met' },
  missed: { zh: '超期完成', en: 'missed' },
};
const KIND: Record<string, Text> = {
  review: { zh: '复查', en: 'Review' },
  're-review': { zh: '复核', en: 'Re-review' },
};
const OUTCOME: Record<string, Text> = {
  upheld: { zh: '维持原处理意见', en: 'Earlier opinion upheld' },
  revised: { zh: '撤销或变更原处理意见', en: 'Earlier opinion revised' },
};
const CHANNEL: Record<string, Text> = {
  sms: { zh: '短信', en: 'SMS' },
  inbox: { zh: '转首问人告知', en: 'via the first responder' },
};

/** Staff who enter a petitioner's request (as the API allows). */
const ENTER_ROLES = ['reception', 'cadre', 'secretary', 'leader', 'admin'];

function clockRow(k: LegalClock): HTMLElement {
  const late = k.state === 'overdue' || k.state === 'missed';
  const extension =
    k.extendedByDays && k.originalDueAt
      ? `（${say(WORDS.extended)} ${k.extendedByDays} ${say(WORDS.days)}，${say(WORDS.originally)} ${when(k.originalDueAt)}）`
      : '';
  return el(
    'tr',
    { class: late ? 'overdue' : '', 'data-testid': `legal-clock-${k.name}` },
    el('td', {}, say(CLOCK[k.name])),
    el('td', {}, when(k.startedAt)),
    el('td', {}, `${when(k.dueAt)}${extension}`),
    el('td', {}, when(k.doneAt)),
    el('td', { 'data-testid': `legal-clock-${k.name}-state` }, say(STATE[k.state] ?? { zh: k.state, en: k.state })),
  );
}

function reviewBlock(r: Review): HTMLElement {
  return el(
    'div',
    { class: 'review', 'data-testid': `review-${r.kind}` },
    el('h3', {}, `${say(KIND[r.kind])}${r.answeredAt ? '' : `（${say(WORDS.pending)}）`}`),
    el(
      'ul',
      {},
      el('li', {}, `${say(WORDS.requested)}：${when(r.requestedAt)}；${say(WORDS.received)}：${r.opinionReceivedAt}`),
      el('li', {}, `${say(WORDS.reasons)}：${r.reasons}`),
      el('li', {}, `${say(WORDS.due)}：${when(r.dueAt)}`),
      ...(r.answeredAt
        ? [
            el(
              'li',
              { 'data-testid': `review-${r.kind}-outcome` },
              `${say(WORDS.outcome)}：${say(OUTCOME[r.outcome ?? 'upheld'])}（${when(r.answeredAt)}）`,
            ),
            el('li', {}, `${say(WORDS.opinion)}：${r.opinion ?? ''}`),
          ]
        : []),
    ),
  );
}

/** The form reception enters a petitioner's request in: the kind that may be asked for now. */
function requestForm(caseId: string, kind: 'review' | 're-review'): HTMLElement {
  const received = el('input', {
    type: 'date',
    name: 'receivedOpinionAt',
    required: '',
    'data-testid': 'review-received',
  });
  const reasons = el('textarea', {
    name: 'reasons',
    required: '',
    rows: '3',
    maxlength: '2000',
    'data-testid': 'review-reasons',
  });
  const submit = el('button', { type: 'submit', 'data-testid': 'review-submit' }, say(WORDS.submit));
  const form = el(
    'form',
    { class: 'review-request', 'data-testid': 'review-form' },
    el('h3', {}, `${say(WORDS.enter)}：${say(KIND[kind])}`),
    el('label', {}, say(WORDS.receivedAt), received),
    el('label', {}, say(WORDS.reasons), reasons),
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    form.querySelector('.error')?.remove();
    call('POST', `/cases/${encodeURIComponent(caseId)}/review`, {
      kind,
      reasons: reasons.value,
      receivedOpinionAt: received.value,
    })
      .then(() => location.reload())
      .catch((error: unknown) => {
        submit.disabled = false;
        showError(form, error);
      });
  });
  return form;
}

function noticesCard(c: LegalPage): HTMLElement {
  const rows = c.notices.map((n) =>
    el(
      'tr',
      {},
      el('td', {}, when(n.at)),
      el('td', {}, eventName(`notification:${n.template}`)),
      el('td', {}, say(CHANNEL[n.channel] ?? { zh: n.channel, en: n.channel })),
      el('td', {}, n.text),
    ),
  );
  return el(
    'section',
    { class: 'card', 'data-testid': 'petitioner-notices' },
    el('h2', {}, say(WORDS.notices)),
    rows.length ? el('table', {}, el('tbody', {}, ...rows)) : el('p', {}, say(WORDS.noNotices)),
  );
}

/** The legal procedure card and the petitioner's notices, for the case page. */
export function legalCards(c: LegalPage, me: Me, caseId: string): HTMLElement[] {
  const card = el(
    'section',
    { class: 'card', 'data-testid': 'legal-procedure' },
    el('h2', {}, say(WORDS.title)),
    el(
      'p',
      { 'data-testid': 'procedure' },
      `${say(WORDS.procedure)}：${say(PROCEDURE[c.procedure] ?? { zh: c.procedure, en: c.procedure })}`,
    ),
    el(
      'table',
      { class: 'legal-clocks' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...[WORDS.clock, WORDS.started, WORDS.due, WORDS.done, WORDS.state].map((w) => el('th', {}, say(w))),
        ),
      ),
      el('tbody', {}, ...c.legalClocks.map(clockRow)),
    ),
  );
  if (c.finalOf)
    card.append(
      el(
        'p',
        { class: 'overdue', 'data-testid': 'final-of' },
        `${say(WORDS.finalOf)} `,
        el('a', { href: `/case.html?id=${encodeURIComponent(c.finalOf.id)}` }, c.finalOf.caseNo),
        `，${say(WORDS.notAgain)}`,
      ),
    );
  if (c.finalRepeats.length)
    card.append(
      el(
        'p',
        { 'data-testid': 'final-repeats' },
        `${say(WORDS.finalRepeats)}：`,
        ...c.finalRepeats.flatMap((r) => [
          el('a', { href: `/case.html?id=${encodeURIComponent(r.id)}` }, r.caseNo),
          ' ',
        ]),
      ),
    );
  if (c.reviews.length) card.append(el('h2', {}, say(WORDS.reviews)), ...c.reviews.map(reviewBlock));
  if (c.reviewRequestUntil) {
    card.append(
      el('p', { 'data-testid': 'review-until' }, `${say(WORDS.requestUntil)}：${when(c.reviewRequestUntil)}`),
    );
    if (me.roles.some((r) => ENTER_ROLES.includes(r)))
      card.append(requestForm(caseId, c.reviews.some((r) => r.kind === 'review') ? 're-review' : 'review'));
  }
  return [card, noticesCard(c)];
}
