/**
 * Intake: a petition from any channel; before filing, the petitioner's open petitions are shown (by phone or ID
 * number), and a repeat with no new facts is linked to the open case instead of opening another.
 */
import { call, requireMe } from '../lib/api';
import { el, shell, showError, notice } from '../lib/shell';
import { fileInput, uploadFiles } from '../lib/attachments';
import { categoryPicker } from '../lib/category-picker';
import { CHANNELS, caseStatus, channelName, lang, t } from '../lib/i18n';

interface Duplicate {
  id: string;
  caseNo: string;
  category: string;
  status: string;
  sameCategory: boolean;
  /** Re-reviewed (Art 36): a new petition on the same request is linked to it as final, not handled again. */
  final?: boolean;
}

/** The mark of a final case (复核终局), in the page's language. */
const finalMark = () =>
  lang() === 'zh' ? '复核终局，关联后不再受理' : 'final after re-review: linked, not handled again';

async function main(): Promise<void> {
  const me = await requireMe();
  const page = shell(me);
  const grids = await call<{ items: Array<{ name: string; compounds: Array<{ id: string; name: string }> }> }>(
    'GET',
    '/grids',
  );
  const field = (label: string, input: HTMLElement) => el('label', { class: 'field' }, el('span', {}, label), input);
  const channel = el('select', { name: 'channel', 'data-testid': 'channel' });
  for (const value of CHANNELS) channel.append(el('option', { value }, channelName(value)));
  const compound = el('select', { name: 'compoundId', 'data-testid': 'compound' }, el('option', { value: '' }, '—'));
  for (const g of grids.items)
    for (const c of g.compounds) compound.append(el('option', { value: c.id }, `${g.name} · ${c.name}`));
  const category = categoryPicker('category', { required: true, onChange: () => void lookup().catch(() => undefined) });
  const description = el('textarea', {
    name: 'description',
    required: '',
    rows: '4',
    maxlength: '5000',
    'data-testid': 'description',
  });
  const name = el('input', { name: 'name', maxlength: '50', 'data-testid': 'name' });
  const phone = el('input', {
    name: 'phone',
    inputmode: 'numeric',
    pattern: '1\\d{10}',
    maxlength: '11',
    'data-testid': 'phone',
  });
  const idNumber = el('input', { name: 'idNumber', maxlength: '18', 'data-testid': 'id-number' });
  const consent = el('input', { type: 'checkbox', name: 'consent' });
  const duplicates = el('div', { 'data-testid': 'duplicates' });
  const files = fileInput('intake-files');
  const result = el('div');
  const form = el(
    'form',
    { class: 'card intake', 'data-testid': 'intake-form' },
    el('h1', {}, t('intake')),
    field(t('channel'), channel),
    field(t('compound'), compound),
    field(t('category'), category.element),
    field(t('description'), description),
    field(t('petitionerName'), name),
    field(t('phone'), phone),
    field(t('idNumber'), idNumber),
    el('label', {}, consent, ' ', t('consent')),
    field(t('attachAtIntake'), files),
    duplicates,
    el('button', { type: 'submit', class: 'primary', 'data-testid': 'file' }, t('file')),
    result,
  );
  page.append(form);

  let linkTo: string | undefined;
  const lookup = async () => {
    linkTo = undefined;
    duplicates.replaceChildren();
    // the numbers go in the body: an address with them would be kept in logs and the browser's history
    const lookup: { phone?: string; idNumber?: string; category?: string } = {};
    if (/^1\d{10}$/.test(phone.value)) lookup.phone = phone.value;
    if (/^\d{17}[\dXx]$/.test(idNumber.value)) lookup.idNumber = idNumber.value;
    if (!lookup.phone && !lookup.idNumber) return;
    if (category.value()) lookup.category = category.value();
    const { items } = await call<{ items: Duplicate[] }>('POST', '/cases/duplicates', lookup);
    if (items.length === 0) return;
    const list = el('ul');
    for (const d of items) {
      const link = el('button', { type: 'button', class: 'link', 'data-testid': `link-${d.caseNo}` }, t('linkToThis'));
      link.addEventListener('click', () => {
        linkTo = d.id;
        list.querySelectorAll('li').forEach((li) => li.classList.remove('chosen'));
        link.closest('li')?.classList.add('chosen');
      });
      list.append(
        el(
          'li',
          {},
          el('a', { href: `/case.html?id=${d.id}` }, d.caseNo),
          ` ${d.category} · ${caseStatus(d.status)} `,
          ...(d.final ? [el('strong', { 'data-testid': `final-${d.caseNo}` }, `（${finalMark()}）`), ' '] : []),
          link,
        ),
      );
    }
    duplicates.append(notice('warning', [t('possibleDuplicates')]), list);
  };
  for (const input of [phone, idNumber])
    input.addEventListener('change', () => void lookup().catch((e: unknown) => showError(form, e)));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // Whatever the petitioner gave is kept: a phone or ID number without a name too (shown as 未留姓名).
    const given = { name: name.value.trim(), phone: phone.value.trim(), idNumber: idNumber.value.trim() };
    const petitioner =
      given.name || given.phone || given.idNumber
        ? {
            ...(given.name ? { name: given.name } : {}),
            ...(given.phone ? { phone: given.phone } : {}),
            ...(given.idNumber ? { idNumber: given.idNumber } : {}),
            consentPublishName: consent.checked,
          }
        : undefined;
    const body = {
      channel: channel.value,
      category: category.value(),
      description: description.value.trim(),
      ...(compound.value ? { compoundId: compound.value } : {}),
      ...(petitioner ? { petitioner } : {}),
      ...(linkTo ? { duplicateOf: linkTo } : {}),
    };
    call<{ id: string; caseNo: string; linkedTo?: { caseNo: string; status: string; final?: boolean } }>(
      'POST',
      '/cases',
      body,
    ).then(
      async (filed) => {
        // The files go to the case once it exists; a refused file is shown, the case stays filed.
        const chosen = files.files ? Array.from(files.files) : [];
        await uploadFiles(filed.id, chosen).catch((error: unknown) => showError(result, error));
        result.replaceChildren(
          notice(
            'success',
            [
              `${t('filed')}：`,
              el('a', { href: `/case.html?id=${filed.id}` }, filed.caseNo),
              filed.linkedTo
                ? ` → ${filed.linkedTo.caseNo}（${filed.linkedTo.final ? finalMark() : caseStatus(filed.linkedTo.status)}）`
                : '',
            ],
            { 'data-testid': 'filed' },
          ),
        );
        form.reset();
        category.clear();
        duplicates.replaceChildren();
      },
      (error: unknown) => showError(form, error),
    );
  });
}

void main();
