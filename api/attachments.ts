/**
 * A petition's attachments (photos, documents, recordings): type checked by the file's content, not its name;
 * size limited; kept in DATA_DIR/attachments; a full disk is a clear error and saves nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Problem, problems, refusal } from '../platform/problem';
import { reachableCase } from './case-access';
import { route, type Role, type RouteSpec } from './route';
import { attachmentOfCase, attachmentsOfCase, insertAttachment } from '../domain/attachments';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** What a petition may carry, by detected media type. */
export const ALLOWED_TYPES: Record<string, string> = {
  'image/jpeg': '照片',
  'image/png': '图片',
  'image/webp': '图片',
  'application/pdf': 'PDF 文件',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word 文档',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel 表格',
  'audio/mpeg': '录音',
  'audio/mp4': '录音',
  'audio/x-m4a': '录音',
};
/** What may be shown in the page rather than downloaded. */
const PREVIEWABLE = new Set(['image/jpeg', 'image/png', 'image/webp', 'application/pdf']);
const STAFF: Role[] = ['reception', 'cadre', 'secretary', 'grid-worker', 'leader', 'admin', 'street-office'];
const CaseParam = z.object({ id: z.uuid() }).strict();

export const attachmentRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/cases/:id/attachments',
    tag: 'cases',
    summary: 'Attach a file to a petition (photo, PDF, Word, Excel or recording; at most 10 MB)',
    access: STAFF,
    params: CaseParam,
    upload: { field: 'file', maxBytes: MAX_ATTACHMENT_BYTES },
    status: 201,
    async handle({ deps, req, params, user }) {
      // Before anything is kept: the accused (Art 30) and another grid's worker cannot add to a case.
      await reachableCase(deps, params.id, user);
      const file = req.file;
      if (!file || file.size === 0)
        throw refusal(
          'upload',
          problems.badRequest(
            { zh: '请选择要上传的文件（不能是空文件）。', en: 'Choose a file to upload (not an empty one).' },
            { field: 'file' },
          ),
        );
      const { fileTypeFromBuffer } = await import('file-type/node');
      const detected = await fileTypeFromBuffer(file.buffer);
      if (!detected || !ALLOWED_TYPES[detected.mime]) {
        throw refusal(
          'upload',
          new Problem(
            415,
            { zh: '不支持的文件类型', en: 'Unsupported file type' },
            {
              zh: `只能上传照片、PDF、Word、Excel 或录音文件${detected ? `（此文件是 ${detected.mime}）` : ''}。`,
              en: `Only photos, PDF, Word, Excel or recordings can be attached${detected ? ` (this file is ${detected.mime})` : ''}.`,
            },
          ),
        );
      }
      const id = randomUUID();
      const dir = join(deps.dataDir, 'attachments', params.id);
      const path = join(dir, id);
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(path, file.buffer, { flag: 'wx' });
      } catch (error) {
        await unlink(path).catch(() => undefined);
        const code = (error as { code?: string }).code;
        if (code === 'ENOSPC' || code === 'EDQUOT') {
          throw new Problem(
            507,
            { zh: '存储空间已满', en: 'Storage full' },
            {
              zh: '服务器存储空间已满，附件未保存，请联系管理员。',
              en: 'The server is out of disk space: the attachment was not saved. Tell the administrator.',
            },
          );
        }
        throw error;
      }
      // Path separators and control characters become underscores.
      const decoded = Buffer.from(file.originalname, 'latin1').toString('utf8') || 'attachment';
      const name = [...decoded]
        .map((ch) => (ch === '/' || ch === '\\' || ch.charCodeAt(0) < 32 ? '_' : ch))
        .join('')
        .slice(0, 200);
      try {
        return await insertAttachment(deps.db, {
          id,
          caseId: params.id,
          fileName: name,
          mediaType: detected.mime,
          sizeBytes: file.size,
          sha256: createHash('sha256').update(file.buffer).digest('hex'),
          uploadedBy: user.id,
        });
      } catch (error) {
        await unlink(path).catch(() => undefined);
        throw error;
      }
    },
  }),
  route({
    method: 'get',
    path: '/cases/:id/attachments',
    tag: 'cases',
    summary: "A petition's attachments",
    access: STAFF,
    params: CaseParam,
    async handle({ deps, params, user }) {
      await reachableCase(deps, params.id, user);
      const items = await attachmentsOfCase(deps.db, params.id);
      return { items };
    },
  }),
  route({
    method: 'get',
    path: '/cases/:id/attachments/:attachmentId',
    tag: 'cases',
    summary: 'Download an attachment (inline=true: shown in the page, for a photo or a PDF)',
    access: STAFF,
    params: z.object({ id: z.uuid(), attachmentId: z.uuid() }).strict(),
    query: z.object({ inline: z.enum(['true', 'false']).optional() }).strict(),
    async handle({ deps, params, query, user, res }) {
      await reachableCase(deps, params.id, user);
      const row = await attachmentOfCase(deps.db, params.attachmentId, params.id);
      if (!row) throw problems.notFound({ zh: '附件不存在。', en: 'No such attachment.' });
      const content = await readFile(join(deps.dataDir, 'attachments', params.id, params.attachmentId));
      // Only what a browser shows without running anything is shown inline: photos and PDFs; the rest downloads.
      const inline = query.inline === 'true' && PREVIEWABLE.has(row.media_type);
      res
        .status(200)
        .type(row.media_type)
        .setHeader(
          'Content-Disposition',
          `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(row.file_name)}`,
        )
        .setHeader('X-Content-Type-Options', 'nosniff')
        .send(content);
      return undefined;
    },
  }),
];
