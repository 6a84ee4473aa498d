/**
 * What form-js's text view makes of a value an expression inserts, with the tasklist's literal text view
 * (web/src/lib/form-text.ts): the value goes through literalMarkdown as form-js's template engine (feelers) inserts
 * it, and the result through Markdown as form-js renders it (marked, GFM, line breaks). HTML, Markdown links and
 * images, and bare addresses that a member typed come out as text, reading exactly as typed.
 */
import { evaluate } from 'feelers';
import { marked } from 'marked';
import { literalMarkdown } from '../../web/src/lib/literal-markdown';

/** The draft-solution form's text view. */
const OPINIONS = '="成员意见：" + string join(opinions, "；")';
const render = (template: string, data: Record<string, unknown>) =>
  marked.parse(evaluate(template, data, { sanitizer: literalMarkdown }), { gfm: true, breaks: true, async: false });
/** The text a browser shows for the HTML (entities decoded, tags dropped). */
const shown = (html: string) =>
  html
    .replace(/<br>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();

describe('typed text in a form text view', () => {
  const typed = [
    '<a href="https://evil.example/">点此领取补贴</a><img src="https://evil.example/x.png" onerror="alert(1)">',
    '[补贴申请](https://evil.example/) ![图](https://evil.example/y.png)',
    '详见 www.evil.example 或 https://evil.example/z，邮件 a@evil.example',
    '    缩进的意见 *不加粗* _不斜体_ `不是代码` ~~不删除~~\n# 不是标题\n- 不是列表\n> 不是引用',
  ];

  it('when members typed HTML, Markdown links and images or addresses, then the form shows no link or image, only their text', () => {
    // given the members' opinions
    const opinions = typed;
    // when the draft-solution form's text view renders them
    const html = render(OPINIONS, { opinions });
    // then no element but paragraphs and line breaks is made, and the text reads as typed
    expect(html).not.toMatch(/<(a|img|em|strong|code|pre|del|h1|ul|li|blockquote)\b/);
    expect(shown(html)).toBe(`成员意见：${opinions.join('；')}`);
  });

  it('when a template inserts a value into static Markdown, then the static Markdown still renders and the value does not', () => {
    // given an admin's text with bold around an insertion
    const template = '**意见：** {{opinion}}';
    // when
    const html = render(template, { opinion: '**加粗** <b>x</b>' });
    // then
    expect(html).toContain('<strong>意见：</strong>');
    expect(html).not.toMatch(/<b>|<strong>加粗/);
    expect(shown(html)).toBe('意见： **加粗** <b>x</b>');
  });
});
