/**
 * The models, forms and element templates in bpmn/ are checked the way the Camunda Modeler checks them: bpmnlint's
 * recommended rules plus Camunda 8.8 compatibility, every FEEL expression through @bpmn-io/feel-lint, every element
 * template against Camunda's zeebe template schema, every form for the structure form-js needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import BpmnModdle from 'bpmn-moddle';
import Ajv from 'ajv';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Linter } = require('bpmnlint') as { Linter: new (options: object) => { lint(root: unknown): Promise<Record<string, Report[]>> } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver') as new () => object;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zeebe = require('zeebe-bpmn-moddle/resources/zeebe.json') as object;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const templateSchema = require('@camunda/zeebe-element-templates-json-schema/resources/schema.json') as object;

interface Report {
  id?: string;
  message: string;
  category: 'error' | 'warn' | 'info' | 'rule-error';
}

const DIR = join(__dirname, '..', '..', '..', 'bpmn');
const files = (ext: string) => readdirSync(DIR).filter((f) => f.endsWith(ext));
const read = (name: string) => readFileSync(join(DIR, name), 'utf8');

/** FEEL expressions of a BPMN file: attribute values and element bodies that start with "=". */
function feelExpressions(xml: string): string[] {
  const decode = (s: string) =>
    s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const attributes = [...xml.matchAll(/="(=[^"]*)"/g)].map((m) => decode(m[1]));
  const bodies = [...xml.matchAll(/>\s*(=[^<]*)</g)].map((m) => decode(m[1]));
  return [...attributes, ...bodies].map((e) => e.trim().slice(1));
}

describe('the models in bpmn/', () => {
  it('has the five processes of the policy', () => {
    expect(files('.bpmn').sort()).toEqual([
      'early-warning-joint-handling.bpmn',
      'key-person-care.bpmn',
      'petition-handling.bpmn',
      'street-office-escalation.bpmn',
      'working-group-1plusx.bpmn',
    ]);
  });

  it.each(files('.bpmn'))('when %s is linted (recommended + Camunda 8.8), then nothing is reported', async (file) => {
    // given
    const moddle = new BpmnModdle({ zeebe });
    const { rootElement } = (await moddle.fromXML(read(file))) as { rootElement: unknown };
    const linter = new Linter({
      config: { extends: ['bpmnlint:recommended', 'plugin:camunda-compat/camunda-cloud-8-8'] },
      resolver: new NodeResolver(),
    });
    // when
    const results = await linter.lint(rootElement);
    // then
    const findings = Object.entries(results).flatMap(([rule, reports]) =>
      reports.filter((r) => r.category !== 'info').map((r) => `${rule}: ${r.id ?? ''} ${r.message}`),
    );
    expect(findings).toEqual([]);
  });

  it.each(files('.bpmn'))('when the FEEL expressions of %s are linted, then none has a problem', async (file) => {
    const { lintExpression } = await import('@bpmn-io/feel-lint');
    const expressions = feelExpressions(read(file));
    expect(expressions.length).toBeGreaterThan(0);
    const problems = expressions.flatMap((e) => lintExpression(e).map((p) => `'${e}': ${p.message}`));
    expect(problems).toEqual([]);
  });

  it('when the element templates are validated against Camunda\'s zeebe template schema, then all are valid', () => {
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
      const form = JSON.parse(read(name)) as { id?: string; type?: string; schemaVersion?: number; components?: Component[] };
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
