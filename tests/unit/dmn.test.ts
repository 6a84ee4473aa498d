import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DecisionEvaluationError,
  DmnModel,
  DmnModelError,
  decisionIds,
  evaluateDecision,
  parseDmn,
} from '../../engine/model/dmn';

const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/engine', name), 'utf8');
const load = (name: string) => parseDmn(name, fixture(name));

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A DMN 1.3 file around the given decisions, as small as the parser accepts. */
function dmn(...decisions: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="inline" name="Inline" namespace="http://camunda.org/schema/1.0/dmn">
${decisions.join('\n')}
</definitions>`;
}

/** A decision table: inputs are input expressions, outputs are output names, rules are [input entries, output entries]. */
function table(
  id: string,
  attributes: string,
  inputs: string[],
  outputs: string[],
  rules: Array<[string[], string[]]>,
): string {
  return `<decision id="${id}" name="${id}"><decisionTable id="${id}-table" ${attributes}>
${inputs.map((e, i) => `<input id="${id}-in${i}" label="${e}"><inputExpression id="${id}-ie${i}" typeRef="string"><text>${esc(e)}</text></inputExpression></input>`).join('\n')}
${outputs.map((name, i) => `<output id="${id}-out${i}" name="${name}" typeRef="string" />`).join('\n')}
${rules
  .map(
    ([ins, outs], r) => `<rule id="${id}-r${r}">
${ins.map((t, i) => `<inputEntry id="${id}-r${r}-i${i}"><text>${esc(t)}</text></inputEntry>`).join('')}
${outs.map((t, i) => `<outputEntry id="${id}-r${r}-o${i}"><text>${esc(t)}</text></outputEntry>`).join('')}
</rule>`,
  )
  .join('\n')}
</decisionTable></decision>`;
}

async function problemsOf(xml: string): Promise<string[]> {
  try {
    await parseDmn('bad.dmn', xml);
  } catch (error) {
    expect(error).toBeInstanceOf(DmnModelError);
    return (error as DmnModelError).problems;
  }
  throw new Error('expected a DmnModelError');
}

describe('DMN decisions', () => {
  describe('hit policy UNIQUE (case-class.dmn)', () => {
    let model: DmnModel;
    beforeAll(async () => {
      model = await load('case-class.dmn');
    });

    it('when the file is parsed, then its decision requirements and decisions are known', () => {
      // then
      expect(model.decisionRequirementsId).toBe('case-class-drd');
      expect(model.name).toBe('案件分类');
      expect(decisionIds(model)).toEqual(['decide-case-class']);
      expect(model.decisions[0].name).toBe('分类建议');
    });

    it.each([
      ['垃圾清运', 'simple', 1],
      ['路灯维修', 'simple', 1],
      ['物业合同纠纷', 'complex', 2],
      ['公共区域改造', 'complex', 2],
      ['历史遗留问题', 'difficult', 3],
      ['跨区域纠纷', 'difficult', 3],
    ])('when the category is %s, then the case class is %s', (category, caseClass, rule) => {
      // when
      const result = evaluateDecision(model, 'decide-case-class', { category });
      // then
      expect(result).toEqual({ decisionId: 'decide-case-class', output: caseClass, matchedRules: [rule] });
    });

    it('when no rule matches, then the output is null', () => {
      // when
      const result = evaluateDecision(model, 'decide-case-class', { category: '噪音扰民' });
      // then
      expect(result.output).toBeNull();
      expect(result.matchedRules).toEqual([]);
    });

    it('when two rules match, then evaluation fails naming the decision, the rules and the input', async () => {
      // given
      const overlapping = await parseDmn(
        'overlap.dmn',
        dmn(
          table(
            'overlap',
            '',
            ['category'],
            ['caseClass'],
            [
              [['"垃圾清运"'], ['"simple"']],
              [['"垃圾清运","跨区域纠纷"'], ['"difficult"']],
            ],
          ),
        ),
      );
      // when
      const evaluation = () => evaluateDecision(overlapping, 'overlap', { category: '垃圾清运' });
      // then
      expect(evaluation).toThrow(DecisionEvaluationError);
      expect(evaluation).toThrow(/decision 'overlap'.*UNIQUE.*rules 1, 2 matched \(category = "垃圾清运"\)/);
    });

    it('when the decision id is unknown, then evaluation fails listing the known ones', () => {
      // when
      const evaluation = () => evaluateDecision(model, 'nope', {});
      // then
      expect(evaluation).toThrow(/no decision 'nope'.*decide-case-class/);
    });
  });

  describe('hit policy FIRST (hit-policy-first.dmn)', () => {
    it.each([
      [40, { level: 'urgent', deadlineDays: 1 }, [1]],
      [30, { level: 'urgent', deadlineDays: 1 }, [1]],
      [20, { level: 'high', deadlineDays: 3 }, [2]],
      [5, { level: 'normal', deadlineDays: 10 }, [3]],
    ])(
      'when the case is %s days open, then the first matching rule gives both outputs as an object',
      async (daysOpen, output, matchedRules) => {
        // given
        const model = await load('hit-policy-first.dmn');
        // when
        const result = evaluateDecision(model, 'decide-urgency', { daysOpen });
        // then
        expect(result.output).toEqual(output);
        expect(result.matchedRules).toEqual(matchedRules);
      },
    );
  });

  describe('hit policy PRIORITY (hit-policy-priority.dmn)', () => {
    it.each([
      [5, true, 'high', [1, 2, 3]],
      [5, false, 'medium', [1, 2]],
      [12, false, 'low', [1]],
      [1, true, 'low', [1]],
    ])(
      'when %s complaints and repeated=%s, then the highest-priority output among the matches is %s',
      async (complaintCount, repeated, attention, matchedRules) => {
        // given
        const model = await load('hit-policy-priority.dmn');
        // when
        const result = evaluateDecision(model, 'decide-attention', { complaintCount, repeated });
        // then
        expect(result.output).toBe(attention);
        expect(result.matchedRules).toEqual(matchedRules);
      },
    );

    it('when the outputs list no allowed values, then the file is refused', async () => {
      // given
      const xml = dmn(table('p', 'hitPolicy="PRIORITY"', ['x'], ['y'], [[['-'], ['"a"']]]));
      // when
      const problems = await problemsOf(xml);
      // then
      expect(problems).toEqual([expect.stringMatching(/PRIORITY ranks rows by the outputs' allowed values/)]);
    });
  });

  describe('hit policy COLLECT (hit-policy-collect.dmn)', () => {
    let model: DmnModel;
    beforeAll(async () => {
      model = await load('hit-policy-collect.dmn');
    });

    it.each([
      ['score-list', [10, 20]],
      ['score-sum', 30],
      ['score-min', 10],
      ['score-max', 20],
      ['score-count', 2],
    ])('when two rules match, then %s gives %j', (decisionId, output) => {
      // when
      const result = evaluateDecision(model, decisionId, { age: 65, complaintCount: 7 });
      // then
      expect(result.output).toEqual(output);
      expect(result.matchedRules).toEqual([1, 3]);
    });

    it.each([
      ['score-list', []],
      ['score-sum', null],
      ['score-min', null],
      ['score-max', null],
      ['score-count', 0],
    ])('when no rule matches, then %s gives %j', (decisionId, output) => {
      // when
      const result = evaluateDecision(model, decisionId, { age: 30, complaintCount: 0 });
      // then
      expect(result.output).toEqual(output);
      expect(result.matchedRules).toEqual([]);
    });

    it('when a summed output is not a number, then evaluation fails naming the value', async () => {
      // given
      const bad = await parseDmn(
        'sum.dmn',
        dmn(table('sum', 'hitPolicy="COLLECT" aggregation="SUM"', ['x'], ['y'], [[['-'], ['"three"']]])),
      );
      // when
      const evaluation = () => evaluateDecision(bad, 'sum', { x: 1 });
      // then
      expect(evaluation).toThrow(/aggregation SUM needs numbers, but got "three"/);
    });
  });

  describe('hit policy RULE ORDER (hit-policy-rule-order.dmn)', () => {
    it.each([
      [
        '路灯维修',
        true,
        [
          { department: '城管科', deadlineDays: 5 },
          { department: '督办室', deadlineDays: 1 },
        ],
        [1, 3],
      ],
      [
        '路灯维修',
        false,
        [
          { department: '城管科', deadlineDays: 5 },
          { department: '综合科', deadlineDays: 10 },
        ],
        [1, 2],
      ],
      ['垃圾清运', false, [{ department: '城管科', deadlineDays: 5 }], [1]],
    ])(
      'when the category is %s and urgent=%s, then every match is listed in rule order',
      async (category, urgent, output, matchedRules) => {
        // given
        const model = await load('hit-policy-rule-order.dmn');
        // when
        const result = evaluateDecision(model, 'route-departments', { category, urgent });
        // then
        expect(result.output).toEqual(output);
        expect(result.matchedRules).toEqual(matchedRules);
      },
    );

    it('when no rule matches, then the output is an empty list', async () => {
      // given
      const model = await load('hit-policy-rule-order.dmn');
      // when
      const result = evaluateDecision(model, 'route-departments', { category: '其他' });
      // then
      expect(result).toEqual({ decisionId: 'route-departments', output: [], matchedRules: [] });
    });
  });

  describe('hit policy ANY (hit-policy-any.dmn)', () => {
    it.each([
      [75, true, true, [1, 2]],
      [66, false, false, [3, 4]],
      [40, false, false, [3]],
      [null, null, null, []],
    ])(
      'when age %s and disabled=%s, then the agreeing matches give %s',
      async (age, disabled, output, matchedRules) => {
        // given
        const model = await load('hit-policy-any.dmn');
        // when
        const result = evaluateDecision(model, 'decide-priority-handling', { age, disabled });
        // then
        expect(result.output).toBe(output);
        expect(result.matchedRules).toEqual(matchedRules);
      },
    );

    it('when matching rules disagree, then evaluation fails naming the rules and inputs', async () => {
      // given
      const model = await load('hit-policy-any.dmn');
      // when
      const evaluation = () => evaluateDecision(model, 'decide-priority-handling', { age: 66, disabled: true });
      // then
      expect(evaluation).toThrow(DecisionEvaluationError);
      expect(evaluation).toThrow(/ANY .*rules 2, 4 matched \(Age = 66, Disabled = true\)/);
    });
  });

  describe('input entries', () => {
    // One rule per entry; COLLECT returns the positions of the entries that matched. Numbers and strings get their
    // own tables: feelin 8.2 compares a string with a number as if equal (`"a" >= 3` is true), FEEL says null.
    const numberEntries = ['[1..5]', '(1..5)', '>= 3', '< 10, > 20', 'not(1, 2)', '-', ''];
    const stringEntries = ['"a","b"', 'not("x")', 'not("x", "y")', '"x"', '-'];
    let model: DmnModel;
    beforeAll(async () => {
      const rules = (entries: string[]) => entries.map((entry, i): [string[], string[]] => [[entry], [String(i)]]);
      const xml = dmn(
        table('numbers', 'hitPolicy="COLLECT"', ['x'], ['entry'], rules(numberEntries)),
        table('strings', 'hitPolicy="COLLECT"', ['x'], ['entry'], rules(stringEntries)),
      );
      model = await parseDmn('entries.dmn', xml);
    });

    it.each([
      [1, ['[1..5]', '< 10, > 20', '-', '']],
      [2, ['[1..5]', '(1..5)', '< 10, > 20', '-', '']],
      [3, ['[1..5]', '(1..5)', '>= 3', '< 10, > 20', 'not(1, 2)', '-', '']],
      [5, ['[1..5]', '>= 3', '< 10, > 20', 'not(1, 2)', '-', '']],
      [15, ['>= 3', 'not(1, 2)', '-', '']],
      [25, ['>= 3', '< 10, > 20', 'not(1, 2)', '-', '']],
    ])('when the number is %j, then exactly the expected entries match', (x, matching) => {
      // when
      const result = evaluateDecision(model, 'numbers', { x });
      // then
      expect((result.output as number[]).map((i) => numberEntries[i])).toEqual(matching);
    });

    it.each([
      ['a', ['"a","b"', 'not("x")', 'not("x", "y")', '-']],
      ['x', ['"x"', '-']],
      ['y', ['not("x")', '-']],
    ])('when the string is %j, then exactly the expected entries match', (x, matching) => {
      // when
      const result = evaluateDecision(model, 'strings', { x });
      // then
      expect((result.output as number[]).map((i) => stringEntries[i])).toEqual(matching);
    });

    it('when an entry cannot be evaluated, then the error names the rule and the input', async () => {
      // given: ">>3" parses, but feelin cannot evaluate it
      const model = await parseDmn('odd.dmn', dmn(table('odd', '', ['amount'], ['y'], [[['>>3'], ['1']]])));
      // when
      const evaluation = () => evaluateDecision(model, 'odd', { amount: 4 });
      // then
      expect(evaluation).toThrow(/decision 'odd'.*rule 1 \(odd-r0\), input "amount" '>>3'/);
    });
  });

  describe('literal expressions, required decisions and values', () => {
    it('when a decision requires another, then its result is a variable named after it', async () => {
      // given
      const xml = dmn(
        `<decision id="due" name="Due date"><informationRequirement id="ir"><requiredDecision href="#days" /></informationRequirement>
          <literalExpression id="le1"><text>date(received) + duration("P" + string(days) + "D")</text></literalExpression></decision>`,
        table(
          'days',
          'hitPolicy="FIRST"',
          ['category'],
          ['days'],
          [
            [['"垃圾清运"'], ['3']],
            [['-'], ['15']],
          ],
        ),
      );
      const model = await parseDmn('due.dmn', xml);
      // when
      const result = evaluateDecision(model, 'due', { category: '垃圾清运', received: '2024-03-01' });
      // then: temporal results come back as ISO strings
      expect(result).toEqual({ decisionId: 'due', output: '2024-03-04', matchedRules: [] });
    });

    it('when required decisions form a cycle, then the file is refused', async () => {
      // given
      const xml = dmn(
        `<decision id="a"><informationRequirement id="i1"><requiredDecision href="#b" /></informationRequirement><literalExpression id="l1"><text>b</text></literalExpression></decision>`,
        `<decision id="b"><informationRequirement id="i2"><requiredDecision href="#a" /></informationRequirement><literalExpression id="l2"><text>a</text></literalExpression></decision>`,
      );
      // when
      const problems = await problemsOf(xml);
      // then
      expect(problems).toContain('decisions require each other in a cycle: a → b → a');
    });
  });

  describe('invalid files', () => {
    it('when a file has several problems, then every one is listed', async () => {
      // given
      const xml = dmn(
        table('policy', 'hitPolicy="SOMETIMES"', ['x'], ['y'], [[['-'], ['1']]]),
        table('entries', '', ['x'], ['y'], [[['"a" "b"'], ['1 +']]]),
        '<decision id="empty" name="Empty" />',
        '<decision id="boxed" name="Boxed"><context id="ctx" /></decision>',
        table('columns', '', ['x', 'z'], ['y', 'w'], [[['-'], ['1', '2']]]),
      );
      // when
      const problems = await problemsOf(xml);
      // then
      expect(problems).toEqual([
        'decision "policy" (policy): hit policy "SOMETIMES" is not supported',
        `decision "entries" (entries): rule 1 (entries-r0), input "x": '"a" "b"' is not valid FEEL unary tests (syntax error at character 5)`,
        `decision "entries" (entries): rule 1 (entries-r0), output "y": '1 +' is not a valid FEEL expression (syntax error at character 4)`,
        'decision "Empty" (empty): needs a decision table or a literal expression',
        'decision "Boxed" (boxed): needs a decision table or a literal expression (found dmn:Context)',
        'decision "columns" (columns): rule 1 (columns-r0) has 1 input entries for 2 inputs',
      ]);
    });

    it('when the file is not XML, then it is refused as unreadable', async () => {
      // when
      const problems = await problemsOf('<definitions');
      // then
      expect(problems).toEqual([expect.stringMatching(/^not a readable DMN file: /)]);
    });

    it('when the file uses another DMN namespace, then the problem says DMN 1.3 is expected', async () => {
      // given
      const xml =
        '<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd" id="old"><decision id="d" /></definitions>';
      // when
      const problems = await problemsOf(xml);
      // then
      expect(problems).toEqual([expect.stringMatching(/DMN 1\.3 is expected/)]);
    });

    it('when the file has no decision, then it is refused', async () => {
      // when
      const problems = await problemsOf(dmn());
      // then
      expect(problems).toEqual(['contains no decision']);
    });
  });
});
