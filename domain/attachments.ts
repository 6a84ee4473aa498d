/**
 * A case's attachments (附件) as they are recorded (case_attachment): name, media type, size and digest of each file,
 * and who uploaded it. The files themselves are stored under the data directory by the routes (api/attachments.ts).
 */
import type { Queryable } from '../platform/db';

/** A new attachment of the case, recorded; answers it as the API shows it. */
export async function insertAttachment(
  db: Queryable,
  a: {
    id: string;
    caseId: string;
    fileName: string;
    mediaType: string;
    sizeBytes: number;
    sha256: string;
    uploadedBy: string;
  },
): Promise<Record<string, unknown>> {
  const [row] = await db.query(
    `INSERT INTO case_attachment (id, case_id, file_name, media_type, size_bytes, sha256, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
           RETURNING id, file_name AS "fileName", media_type AS "mediaType", size_bytes AS "sizeBytes", created_at AS "createdAt"`,
    [a.id, a.caseId, a.fileName, a.mediaType, a.sizeBytes, a.sha256, a.uploadedBy],
  );
  return row;
}

/** The case's attachments in the order they were uploaded, with the uploader's name. */
export async function attachmentsOfCase(db: Queryable, caseId: string): Promise<Record<string, unknown>[]> {
  return db.query(
    `SELECT a.id, a.file_name AS "fileName", a.media_type AS "mediaType", a.size_bytes AS "sizeBytes", a.created_at AS "createdAt", u.display_name AS "uploadedBy"
         FROM case_attachment a JOIN app_user u ON u.id = a.uploaded_by WHERE a.case_id = $1 ORDER BY a.created_at`,
    [caseId],
  );
}

/** The attachment's file name and media type, if the case has it. */
export async function attachmentOfCase(
  db: Queryable,
  attachmentId: string,
  caseId: string,
): Promise<{ file_name: string; media_type: string } | undefined> {
  const [row] = await db.query<{ file_name: string; media_type: string }>(
    'SELECT file_name, media_type FROM case_attachment WHERE id = $1 AND case_id = $2',
    [attachmentId, caseId],
  );
  return row;
}
