/**
 * form-js's fixed English strings (select placeholder, search, validation messages) as the tasklist shows them on a
 * Chinese page (web/src/lib/form-texts.ts): each known string has its Chinese, with the numbers it carries; anything
 * else (what an admin or a petitioner wrote) is left alone.
 */
import { formText } from '../../web/src/lib/form-texts';

describe('form-js texts in Chinese', () => {
  it.each([
    ['Select', '请选择'],
    ['Search', '搜索'],
    ['No results', '无匹配结果'],
    ['Field is required.', '此项为必填。'],
    ['Field must have minimum length of 10.', '至少填写 10 个字符。'],
    ['Field must have maximum length of 500.', '最多填写 500 个字符。'],
    ['Field must have minimum value of 1.', '不能小于 1。'],
    ['Field must have maximum value of 30.', '不能大于 30。'],
    ['Field must match pattern ^1\\d{10}$.', '格式不正确。'],
    ['Please select a valid value, the two nearest valid values are 1 and 2.', '请填写有效的数值，最接近的是 1 和 2。'],
  ])('when form-js writes "%s", then the page shows "%s"', (english, chinese) => {
    expect(formText(english)).toBe(chinese);
  });

  it('when the text is not one of form-js’s own, then it is left alone', () => {
    for (const text of ['Selected', '请选择', 'Field is required', '居民反映 Select 问题'])
      expect(formText(text)).toBeUndefined();
  });
});
