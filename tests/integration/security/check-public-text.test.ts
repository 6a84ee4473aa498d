/**
 * scripts/check-public-text.ts on a real database (no engine running; the embedded engine's tables hold one
 * instance's variables): it reads the notice board as stored, the rating page as the API answers it, every
 * notification text and the log files given, and lists each mobile or ID number however it was written, masked.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureEngineSchema } from '../../../engine/store/schema';
import { checkPublicText } from '../../../scripts/check-public-text';
import { openDatabase, type Database } from '../../../platform/data-source';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { createCase } from '../../support/case-fixtures';

describe('check:public-text', () => {
  let tdb: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = await openDatabase({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR });
    await ensureEngineSchema(database.db);
  });
  afterAll(async () => {
    await database.close();
    await tdb.drop();
  });

  it('when public text holds numbers however written, then each is listed masked with where it is; the screened rating page is clean', async () => {
    // given a notice row and a text as an unscreened version wrote them, a log line, and a rating link whose
    // process variables hold numbers (the rating page screens them)
    const db = database.db;
    const { caseId, caseNo, firstResponderId } = await createCase(db, { name: '欧阳明远' });
    await db.query(
      `INSERT INTO notice_board (case_id, round, case_no, category, compound_name, outcome) VALUES ($1, 1, $2, '电梯故障', '幸福里小区', $3)`,
      [caseId, caseNo, '已修复，电话 139 0000 1111'],
    );
    const [notification] = await db.query<{ id: string }>(
      `INSERT INTO notification (job_key, recipient_key, case_id, template, recipient_role, recipient_user_id, channel, text, params, status)
       VALUES ('job-check-1', 'user:x', $1, 'result', 'petitioner', $2, 'inbox', $3, '{}', 'sent') RETURNING id`,
      [caseId, firstResponderId, '请转告：身份证１１０１０５１９８００１０１００１Ｘ已核实'],
    );
    await db.query(
      `INSERT INTO engine_resource (key, deployment_key, kind, resource_id, version, resource_name, checksum, content) VALUES (1, 1, 'process', 'p', 1, 'p.bpmn', 'x', '<x/>')`,
    );
    await db.query(
      `INSERT INTO engine_instance (key, definition_key, process_id, state, variables, start_date) VALUES (2, 1, 'p', 'ACTIVE', $1, now())`,
      [JSON.stringify({ caseId, handlingResult: '已修复，手机 139-0000-1111，已告知欧阳明远' })],
    );
    await db.query(`UPDATE petition_case SET process_instance_key = '2' WHERE id = $1`, [caseId]);
    await db.query(
      `INSERT INTO rating_link (token_hash, case_id, round, job_key, token_enc, sent_at, expires_at) VALUES ('\\x01', $1, 1, 'job-link-1', '\\x01', now(), now())`,
      [caseId],
    );
    const log = join(mkdtempSync(join(tmpdir(), 'check-public-text-')), 'app.log');
    writeFileSync(
      log,
      [
        '{"level":30,"time":1765432101234,"msg":"request completed","url":"/api/cases"}',
        '{"level":30,"msg":"x","phone":"+86 13900001111"}',
      ].join('\n'),
    );
    // when
    const { findings, counts } = await checkPublicText(db, [log]);
    // then each number is listed once, masked, with where it was; the rating page (screened) adds none
    expect(findings).toEqual([
      { source: 'notice board', where: `${caseNo} round 1`, kind: 'mobile', masked: '139****1111' },
      {
        source: 'notification',
        where: `result to petitioner (${notification.id})`,
        kind: 'id-number',
        masked: '110***********001X',
      },
      { source: 'log', where: `${log}:2`, kind: 'mobile', masked: '139****1111' },
    ]);
    expect(counts).toMatchObject({
      'notice board entries': 1,
      'rating pages': 1,
      notifications: 1,
      [`lines of ${log}`]: 2,
    });
    expect(JSON.stringify(findings)).not.toMatch(/13900001111|110105198001010011/);
  });
});
