/**
 * Text people typed, made safe to put into Markdown: form-js's text view renders its text as Markdown (GFM, HTML
 * allowed), so an opinion holding `<a href=…>`, `![](…)`, `[x](…)` or a bare address would become a live link or
 * image on the next person's form. Every ASCII punctuation character becomes a numeric character reference (which
 * Markdown shows as that character and never reads as syntax, and which breaks bare-address links), and indentation
 * at the start of a line too (four spaces would start a code block, where references are shown undecoded). Letters,
 * digits, Chinese text and line breaks stay as they are, so the text reads exactly as typed.
 */
export function literalMarkdown(value: unknown): string {
  // feelers inserts the FEEL result as text (string(…)); anything else is shown as its JSON.
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value);
  return text
    .replace(/[!-/:-@[-`{-~]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/^[ \t]+/gm, (indent) => [...indent].map((c) => `&#${c.charCodeAt(0)};`).join(''));
}
