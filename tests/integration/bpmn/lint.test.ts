/**
 * The models, forms and element templates in bpmn/ are checked the way the Camunda Modeler checks them: bpmnlint's
 * recommended rules plus Camunda 8.8 compatibility, every FEEL expression through @bpmn-io/feel-lint, every element
 * template against Camunda's zeebe template schema, every form for the structure form-js needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { feelExpressions, lintBpmn } from '../../../server/model-lint';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const templateSchema = require('@camunda/zeebe-element-templates-json-schema/resources/schema.json') as object;

const DIR = join(__dirname, '..', '..', '..', 'bpmn');
const files = (ext: string) => readdirSync(DIR).filter((f) => f.endsWith(ext));
const read = (name: string) => readFileSync(join(DIR, name), 'utf8');

describe('the models in bpmn/', () => {
  it('has the six processes of the policy', () => {
    expect(files('.bpmn').sort()).toEqual([
      'early-warning-joint-handling.bpmn',
      'key-person-care.bpmn',
      'petition-handling.bpmn',
      'petition-review.bpmn',
      'street-office-escalation.bpmn',
      'working-group-1plusx.bpmn',
    ]);
  });

  it.each(files('.bpmn'))(
    'when %s is linted (recommended + Camunda 8.8, FEEL, the engine parser), then nothing is reported',
    async (file) => {
      // when
      const problems = await lintBpmn(file, read(file), { engine: true });
      // then
      expect(problems).toEqual([]);
      expect(feelExpressions(read(file)).length).toBeGreaterThan(0);
    },
  );

  it('when a model is written as the web modeler writes it (quotes as &#34;), then its FEEL reads the same and nothing is reported', async () => {
    // given petition-handling with its quotes as numeric references, as bpmn-js saves them
    const xml = read('petition-handling.bpmn').replace(/&quot;/g, '&#34;');
    // then the expressions decode to the same FEEL, and "&amp;lt;" stays "&lt;" (one pass)
    expect(feelExpressions(xml)).toEqual(feelExpressions(read('petition-handling.bpmn')));
    expect(feelExpressions('<a x="=&amp;lt; &#x22;&#38;quot;&#x22;" />')).toEqual(['&lt; "&quot;"']);
    expect((await lintBpmn('petition-handling.bpmn', xml)).filter((p) => p.rule === 'feel')).toEqual([]);
  });

  it('when a model breaks the rules, then each problem is reported, structural ones on their element', async () => {
    // given a condition cut short (a FEEL syntax error) and a conditional flow whose condition is gone
    const broken = read('petition-handling.bpmn')
      .replace('=caseClass = &quot;simple&quot;', '=caseClass = ')
      .replace(
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=caseClass = &quot;complex&quot;</bpmn:conditionExpression>',
        '',
      );
    // when
    const problems = await lintBpmn('petition-handling.bpmn', broken, { engine: true });
    // then
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'feel', severity: 'error', message: expect.stringContaining('caseClass =') }),
        expect.objectContaining({ rule: 'conditional-flows', elementId: 'Flow_Complex', severity: 'error' }),
      ]),
    );
  });

  it("when the element templates are validated against Camunda's zeebe template schema, then all are valid", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(templateSchema);
    const templates = readdirSync(join(DIR, 'element-templates')).filter((f) => f.endsWith('.json'));
    expect(templates.length).toBeGreaterThan(0);
    for (const name of templates) {
      const template = JSON.parse(readFileSync(join(DIR, 'element-templates', name), 'utf8')) as unknown;
      const valid = validate(template);
      expect({ name, errors: valid ? [] : validate.errors }).toEqual({ name, errors: [] });
    }
  });

  it('when the forms are read, then each is a form-js schema with an id, unique keys and labels', () => {
    type Component = { type: string; key?: string; label?: string; components?: Component[] };
    for (const name of files('.form')) {
      const form = JSON.parse(read(name)) as {
        id?: string;
        type?: string;
        schemaVersion?: number;
        components?: Component[];
      };
      expect({ name, id: typeof form.id, type: form.type }).toEqual({ name, id: 'string', type: 'default' });
      expect(form.schemaVersion).toBeGreaterThanOrEqual(16);
      const all: Component[] = [];
      const walk = (cs: Component[] = []) => cs.forEach((c) => (all.push(c), walk(c.components)));
      walk(form.components);
      const keys = all.filter((c) => c.key).map((c) => c.key);
      expect({ name, duplicates: keys.filter((k, i) => keys.indexOf(k) !== i) }).toEqual({ name, duplicates: [] });
      const unlabelled = all.filter((c) => c.key && !c.label && !['hidden'].includes(c.type)).map((c) => c.key);
      expect({ name, unlabelled }).toEqual({ name, unlabelled: [] });
    }
  });
});
