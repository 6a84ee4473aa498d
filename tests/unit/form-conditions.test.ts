/**
 * A submitted form is checked as form-js shows it: a field hidden by its condition (`conditional.hide`) is neither
 * required nor kept, a shown one is. Read with the acceptance decision (Art 22–23) and the leader's extension approval.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateFormData, type FormSchema } from '../../api/forms';

const form = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'bpmn', `${name}.form`), 'utf8')) as FormSchema;

describe('form conditions', () => {
  it('when a petition is accepted, then the reason and the authority are hidden: not required, and not kept', () => {
    // when
    const data = validateFormData(form('acceptance-decision'), {
      acceptanceDecision: 'accepted',
      passedOnTo: '不应提交',
    });
    // then
    expect(data).toEqual({ acceptanceDecision: 'accepted' });
  });

  it('when a petition is not accepted or passed on, then the reason (and the authority) are required', () => {
    // when
    const refused = () => validateFormData(form('acceptance-decision'), { acceptanceDecision: 'not-accepted' });
    const passed = () =>
      validateFormData(form('acceptance-decision'), {
        acceptanceDecision: 'passed-on',
        acceptanceReason: '不属本社区',
      });
    // then
    expect(refused).toThrow(
      expect.objectContaining({ extensions: { errors: [expect.objectContaining({ field: 'acceptanceReason' })] } }),
    );
    expect(passed).toThrow(
      expect.objectContaining({ extensions: { errors: [expect.objectContaining({ field: 'passedOnTo' })] } }),
    );
    expect(
      validateFormData(form('acceptance-decision'), {
        acceptanceDecision: 'not-accepted',
        acceptanceReason: '已进入诉讼程序',
      }),
    ).toEqual({ acceptanceDecision: 'not-accepted', acceptanceReason: '已进入诉讼程序' });
  });

  it('when the leader approves an extension, then the days are required and at most 30; refused, they are not', () => {
    // then
    expect(() => validateFormData(form('approve-extension'), { extensionApproved: true })).toThrow();
    expect(() =>
      validateFormData(form('approve-extension'), { extensionApproved: true, extensionGrantedDays: 45 }),
    ).toThrow();
    expect(validateFormData(form('approve-extension'), { extensionApproved: false })).toEqual({
      extensionApproved: false,
    });
  });
});
