import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The category dictionary (事项类别字典): two levels — a main class and its items — each with a stable code, a
 * Chinese and an English name, and synonyms. A case keeps the code it was filed under (`category_code`) beside the
 * name staff saw (`category`); the decision table, the early-warning clustering, the dashboards and the hazard
 * records use the code, so "噪音扰民" and "噪声扰民" are one complaint. `case_category_term` holds every name and
 * synonym once (lower case): its key is what makes a term mean one category only.
 *
 * Existing data is mapped by name and synonym (and so is a case row written without a code, by a trigger): a case
 * whose category is in no entry keeps its text and gets the code `other`; an early-warning rule whose category is in no entry is disabled (its name says why) rather than widened.
 */
export class CategoryDictionary1764400000270 implements MigrationInterface {
  name = 'CategoryDictionary1764400000270';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE case_category (
        code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9-]{0,30}(\\.[a-z][a-z0-9-]{0,30})?$'),
        parent_code text REFERENCES case_category(code),
        name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 30),
        name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 60),
        synonyms text[] NOT NULL DEFAULT '{}',
        sort_order integer NOT NULL DEFAULT 0,
        enabled boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text,
        CHECK ((parent_code IS NULL) = (position('.' in code) = 0)),
        CHECK (parent_code IS NULL OR code LIKE parent_code || '.%')
      )`);
    await q.query(`
      CREATE TABLE case_category_term (
        term text PRIMARY KEY,
        code text NOT NULL REFERENCES case_category(code) ON DELETE CASCADE
      )`);
    await q.query('CREATE INDEX case_category_term_code_idx ON case_category_term (code)');
    let order = 0;
    for (const [code, zh, en, synonyms] of SEED) {
      const parent = code.includes('.') ? code.slice(0, code.indexOf('.')) : null;
      await q.query(
        `INSERT INTO case_category (code, parent_code, name_zh, name_en, synonyms, sort_order, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, 'migration')`,
        [code, parent, zh, en, synonyms, (order += 10)],
      );
      for (const term of [zh, ...synonyms]) {
        await q.query('INSERT INTO case_category_term (term, code) VALUES ($1, $2)', [term.toLowerCase(), code]);
      }
    }
    await this.mapCases(q);
    await this.mapHazards(q);
    await this.mapWarnings(q);
  }

  private async mapCases(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE petition_case ADD COLUMN category_code text REFERENCES case_category(code)');
    await q.query(`UPDATE petition_case c SET category_code = COALESCE(
      (SELECT t.code FROM case_category_term t WHERE t.term = lower(trim(c.category))), 'other')`);
    await q.query('ALTER TABLE petition_case ALTER COLUMN category_code SET NOT NULL');
    // A row written without a code (a writer of the first version, an import, a copy) gets the code its category's
    // name stands for, as the backfill above did; intake always gives it.
    await q.query(`CREATE FUNCTION petition_case_category_code() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.category_code := COALESCE(
          (SELECT t.code FROM case_category_term t WHERE t.term = lower(trim(NEW.category))), 'other');
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER petition_case_category_code BEFORE INSERT ON petition_case
      FOR EACH ROW WHEN (NEW.category_code IS NULL) EXECUTE FUNCTION petition_case_category_code()`);
    await q.query('CREATE INDEX petition_case_category_code_idx ON petition_case (category_code, received_at)');
  }

  private async mapHazards(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE hazard_record DROP CONSTRAINT hazard_record_category_check');
    await q.query(`UPDATE hazard_record SET category = CASE category
      WHEN 'neighbour-relations' THEN 'neighbour' WHEN 'property-management' THEN 'property'
      WHEN 'family-conflict' THEN 'family' WHEN 'policy-implementation' THEN 'policy' ELSE 'other' END`);
    await q.query(
      'ALTER TABLE hazard_record ADD CONSTRAINT hazard_record_category_fkey FOREIGN KEY (category) REFERENCES case_category(code)',
    );
  }

  private async mapWarnings(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE early_warning_rule r SET
        enabled = false,
        name = left(r.name || '（类别“' || r.category || '”不在类别字典中，已停用）', 200),
        category = NULL
      WHERE r.category IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM case_category_term t WHERE t.term = lower(trim(r.category)))`);
    await q.query(`UPDATE early_warning_rule r SET category = t.code
      FROM case_category_term t WHERE r.category IS NOT NULL AND t.term = lower(trim(r.category))`);
    await q.query(
      'ALTER TABLE early_warning_rule ADD CONSTRAINT early_warning_rule_category_fkey FOREIGN KEY (category) REFERENCES case_category(code)',
    );
    await q.query(`UPDATE early_warning_alert a SET category = t.code
      FROM case_category_term t WHERE t.term = lower(trim(a.category))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE early_warning_rule DROP CONSTRAINT early_warning_rule_category_fkey');
    await q.query(
      `UPDATE early_warning_rule r SET category = c.name_zh FROM case_category c WHERE c.code = r.category`,
    );
    await q.query(
      `UPDATE early_warning_alert a SET category = c.name_zh FROM case_category c WHERE c.code = a.category`,
    );
    await q.query('ALTER TABLE hazard_record DROP CONSTRAINT hazard_record_category_fkey');
    await q.query(`UPDATE hazard_record SET category = CASE category
      WHEN 'neighbour' THEN 'neighbour-relations' WHEN 'property' THEN 'property-management'
      WHEN 'family' THEN 'family-conflict' ELSE 'policy-implementation' END`);
    await q.query(`ALTER TABLE hazard_record ADD CONSTRAINT hazard_record_category_check
      CHECK (category IN ('neighbour-relations', 'property-management', 'family-conflict', 'policy-implementation'))`);
    await q.query('DROP TRIGGER petition_case_category_code ON petition_case');
    await q.query('DROP FUNCTION petition_case_category_code()');
    await q.query('ALTER TABLE petition_case DROP COLUMN category_code');
    await q.query('DROP TABLE case_category_term');
    await q.query('DROP TABLE case_category');
  }
}

/** The dictionary a community starts with: [code, Chinese name, English name, synonyms]; a main class before its items. */
const SEED: Array<[string, string, string, string[]]> = [
  ['environment', '环境卫生', 'Environment and sanitation', []],
  ['environment.garbage', '垃圾清运', 'Garbage collection', ['垃圾未清运', '垃圾堆放', '垃圾分类']],
  ['environment.sanitation', '公共卫生', 'Public hygiene', ['卫生死角', '楼道卫生']],
  ['environment.noise', '噪声扰民', 'Noise', ['噪音扰民', '噪音', '噪声', '施工噪音']],
  ['environment.fumes', '油烟异味', 'Fumes and odours', ['油烟扰民', '异味']],
  ['environment.greening', '绿化养护', 'Greenery', ['绿化', '毁绿种菜']],
  ['property', '物业管理', 'Property management', []],
  ['property.service', '物业服务', 'Property services', ['物业服务质量', '物业不作为']],
  ['property.contract', '物业合同纠纷', 'Property contract disputes', ['物业费纠纷', '物业费']],
  ['property.elevator', '电梯故障', 'Lift faults', ['电梯维修', '电梯']],
  ['property.leak', '房屋漏水', 'Leaks', ['漏水', '屋顶漏水', '小区漏水', '渗水']],
  ['property.structure', '房屋质量', 'Building defects', ['墙体开裂', '房屋安全']],
  ['property.parking', '停车管理', 'Parking', ['停车', '停车难', '乱停车']],
  ['facilities', '市政设施', 'Public facilities', []],
  ['facilities.streetlight', '路灯维修', 'Street lights', ['路灯损坏', '路灯']],
  ['facilities.road', '道路破损', 'Roads and paths', ['道路维修', '路面破损']],
  ['facilities.utilities', '供水供电', 'Water and power', ['停水', '停电', '供水', '供电']],
  ['facilities.heating', '供暖', 'Heating', ['暖气不热', '供热']],
  ['facilities.public-area', '公共区域改造', 'Public area renovation', ['公共设施改造', '老旧小区改造']],
  ['urban', '城市管理', 'City management', []],
  ['urban.illegal-building', '违章搭建', 'Illegal construction', ['违建', '私搭乱建']],
  ['urban.street-vending', '占道经营', 'Street vending', ['占道', '流动摊贩']],
  ['neighbour', '邻里关系', 'Neighbour relations', []],
  ['neighbour.dispute', '邻里纠纷', 'Neighbour disputes', ['邻里矛盾']],
  ['neighbour.pets', '饲养宠物', 'Pets', ['宠物扰民', '养狗']],
  ['family', '家庭矛盾', 'Family conflicts', []],
  ['family.marriage', '婚姻家庭纠纷', 'Marriage and family disputes', ['家庭纠纷', '婚姻纠纷']],
  ['family.support', '赡养抚养', 'Support of elders and children', ['赡养纠纷', '抚养纠纷']],
  ['policy', '政策落实', 'Policy implementation', []],
  ['policy.social-security', '社会保障', 'Social security', ['低保', '社保']],
  ['policy.housing', '住房保障', 'Housing support', ['保障房', '拆迁安置']],
  ['policy.legacy', '历史遗留问题', 'Legacy issues', ['遗留问题']],
  ['policy.cross-region', '跨区域纠纷', 'Cross-region disputes', ['跨区纠纷']],
  ['conduct', '干部作风', 'Conduct of officials', []],
  ['conduct.style', '工作作风', 'Working style', ['作风问题', '服务态度']],
  ['conduct.integrity', '违纪违法', 'Misconduct', ['贪污', '腐败']],
  ['other', '其他', 'Other', []],
];
