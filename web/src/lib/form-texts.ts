/**
 * form-js's fixed English strings and their Chinese (what form-js 1.x writes, from @bpmn-io/form-js-viewer): the
 * select placeholder, the search box, empty lists and validation messages. form-i18n.ts puts them in place on a page.
 */
const EXACT: Record<string, string> = {
  Select: '请选择',
  Search: '搜索',
  'No results': '无匹配结果',
  'Add new': '添加',
  'Field is required.': '此项为必填。',
  'Field must be a valid email.': '请填写有效的电子邮箱。',
  'Field must be a valid  international phone number. (e.g. +4930664040900)':
    '请填写有效的国际电话号码（如 +4930664040900）。',
  Date: '日期',
  Time: '时间',
  'No files selected': '未选择文件',
  'No options source defined in the form definition': '表单定义中没有选项来源。',
};

const PATTERNS: Array<[RegExp, string]> = [
  [/^Field must have minimum length of (.+)\.$/, '至少填写 $1 个字符。'],
  [/^Field must have maximum length of (.+)\.$/, '最多填写 $1 个字符。'],
  [/^Field must have minimum value of (.+)\.$/, '不能小于 $1。'],
  [/^Field must have maximum value of (.+)\.$/, '不能大于 $1。'],
  [/^Field must match pattern (.+)\.$/, '格式不正确。'],
  [
    /^Please select a valid value, the two nearest valid values are (.+) and (.+)\.$/,
    '请填写有效的数值，最接近的是 $1 和 $2。',
  ],
];

/** The Chinese for one of form-js's English strings, or undefined when it is not one of them. */
export function formText(english: string): string | undefined {
  const trimmed = english.trim();
  if (EXACT[trimmed] !== undefined) return english.replace(trimmed, EXACT[trimmed]);
  for (const [pattern, chinese] of PATTERNS) if (pattern.test(trimmed)) return trimmed.replace(pattern, chinese);
  return undefined;
}
