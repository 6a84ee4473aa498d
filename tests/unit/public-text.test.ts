/**
 * The one screening of public text (domain/public-text.ts): phone and ID numbers however staff write them
 * (spaces, dashes, dots, brackets, full-width digits, +86), names of the case's people also with spaces between
 * their characters, and none of the numbers the system itself writes (case numbers, dates, times, keys).
 */
import { findPersonalData, screenPublicText } from '../../domain/public-text';
import { publicOutcome } from '../../workers/publish-notice';

describe('screening public text', () => {
  it.each([
    ['电话 139 0000 1111', '电话 ***'],
    ['手机１３９００００１１１１。', '手机***。'],
    ['139-0000-1111、139.0000.1111、139 - 0000 - 1111', '***、***、***'],
    ['+86 139 0000 1111；0086-13900001111', '+***；***'],
    ['身份证 1101 0519 8001 0100 1X 已核实', '身份证 *** 已核实'],
    ['身份证１１０１０５１９８００１０１００１ｘ', '身份证***'],
    ['座机 010-6512 3456，分机 0755 8888 6666', '座机 ***，分机 ***'],
    ['联系电话：6512 3456', '联系电话：***'],
    ['2026-10-12 13900001111 已回访', '2026-10-12 *** 已回访'],
    ['Tel13900001111, ID:11010519800101001X', 'Tel***, ID:***'],
  ])('when text holds "%s", then it is published as "%s"', (text, published) => {
    // given // when
    const screened = screenPublicText(text);
    // then
    expect(screened).toBe(published);
  });

  it('when text holds only numbers the system writes, then nothing is found', () => {
    // given case numbers, dates, times, amounts, epoch milliseconds, engine keys and request ids (UUIDs)
    const text =
      '案件 XF-2026-000123 于 2026-10-12 14:00 办结（20261012），补偿 35000 元；{"time":1765432101234,"key":"2251799813685249"}；房号 3-1201；' +
      '{"req":{"id":"cae8b265-3da7-437e-b20f-15373076377f"}} {"id":"4a23d6f3-46b5-4542-9211-445072398e5e"} c9d995be-ad1f-4c37-913c-e16412731265';
    // when // then
    expect(findPersonalData(text)).toEqual([]);
    expect(screenPublicText(text)).toBe(text);
  });

  it("when the case's people are named, also with spaces or in full-width Latin, then each name is screened", () => {
    // given the petitioner and an accused staff member
    const people = ['王小明', 'Li Na'];
    // when
    const screened = screenPublicText('已与王 小明沟通，王小明满意；经办ＬＩ ＮＡ；王小', people);
    // then a name of one character or part of a name is left
    expect(screened).toBe('已与***沟通，***满意；经办***；王小');
  });

  it('when a finding is reported, then it names its kind and the text as written', () => {
    // given // when
    const found = findPersonalData('手机１３９００００１１１１，身份证 11010519800101001X，王小明', ['王小明']);
    // then
    expect(found).toEqual([
      { kind: 'mobile', from: 2, to: 13, text: '１３９００００１１１１' },
      { kind: 'id-number', from: 18, to: 36, text: '11010519800101001X' },
      { kind: 'name', from: 37, to: 40, text: '王小明' },
    ]);
  });

  it("when the board's outcome is made, then it is screened with the case's people", () => {
    // given // when
    const outcome = publicOutcome(
      { handlingResult: '电话 139 0000 1111，手机１３９００００１１１１，已告知欧阳明远' },
      ['欧阳明远'],
    );
    // then
    expect(outcome).toBe('电话 ***，手机***，已告知***');
  });
});
