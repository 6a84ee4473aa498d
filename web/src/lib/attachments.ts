/**
 * A petition's attachments in the pages: the list (name, kind, size, who added it, when) with download, a preview of
 * photos and PDFs in the page, and adding files (also right after intake). The server checks each file's type by its
 * content and its size; its refusal is shown by the form, in its words.
 */
import { call } from './api';
import { el, showError } from './shell';
import { t, when } from './i18n';

interface Attachment {
  id: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  createdAt: string;
  uploadedBy: string;
}

const PREVIEW = new Set(['image/jpeg', 'image/png', 'image/webp', 'application/pdf']);

const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;

/** Sends the files of a file input to the case, one after another. */
export async function uploadFiles(caseId: string, files: FileList | File[]): Promise<void> {
  for (const file of Array.from(files)) {
    const form = new FormData();
    form.append('file', file, file.name);
    await call('POST', `/cases/${encodeURIComponent(caseId)}/attachments`, form);
  }
}

/** A file input that takes several files, for intake and the case page. */
export function fileInput(testId: string): HTMLInputElement {
  return el('input', {
    type: 'file',
    multiple: '',
    accept: 'image/jpeg,image/png,image/webp,application/pdf,.docx,.xlsx,audio/mpeg,audio/mp4,.m4a',
    'data-testid': testId,
  });
}

function preview(box: HTMLElement, caseId: string, a: Attachment): void {
  const src = `/api/cases/${encodeURIComponent(caseId)}/attachments/${a.id}?inline=true`;
  box.replaceChildren(
    el('p', {}, a.fileName),
    a.mediaType === 'application/pdf'
      ? el('iframe', { src, title: a.fileName, class: 'pdf-preview', 'data-testid': 'pdf-preview' })
      : el('img', { src, alt: a.fileName, class: 'image-preview', 'data-testid': 'image-preview' }),
  );
}

/** The attachments card of the case page. */
export async function attachmentsCard(caseId: string): Promise<HTMLElement> {
  const card = el('section', { class: 'card no-print', 'data-testid': 'attachments' }, el('h2', {}, t('attachments')));
  const list = el('div');
  const box = el('div', { class: 'preview', 'data-testid': 'preview' });
  const input = fileInput('attachment-file');
  const form = el(
    'form',
    { class: 'toolbar' },
    input,
    el('button', { type: 'submit', 'data-testid': 'attachment-upload' }, t('attachUpload')),
  );
  const render = async () => {
    const { items } = await call<{ items: Attachment[] }>('GET', `/cases/${encodeURIComponent(caseId)}/attachments`);
    list.replaceChildren(
      items.length === 0
        ? el('p', {}, t('attachNone'))
        : el(
            'table',
            { 'data-testid': 'attachment-list' },
            el(
              'tbody',
              {},
              ...items.map((a) => {
                const open = el(
                  'button',
                  { type: 'button', class: 'link', 'data-testid': 'attachment-preview' },
                  t('attachPreview'),
                );
                open.addEventListener('click', () => preview(box, caseId, a));
                return el(
                  'tr',
                  { 'data-testid': 'attachment-row' },
                  el('td', {}, a.fileName),
                  el('td', { class: 'num' }, size(a.sizeBytes)),
                  el('td', {}, a.uploadedBy),
                  el('td', { class: 'num' }, when(a.createdAt)),
                  el(
                    'td',
                    {},
                    PREVIEW.has(a.mediaType) ? open : '',
                    ' ',
                    el(
                      'a',
                      { href: `/api/cases/${encodeURIComponent(caseId)}/attachments/${a.id}`, download: a.fileName },
                      t('attachDownload'),
                    ),
                  ),
                );
              }),
            ),
          ),
    );
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!input.files?.length) return;
    uploadFiles(caseId, input.files)
      .then(() => {
        input.value = '';
        return render();
      })
      .catch((error: unknown) => showError(card, error));
  });
  card.append(list, form, box);
  await render();
  return card;
}
