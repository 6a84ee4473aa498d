/** CSV for spreadsheets: a BOM so that Excel reads UTF-8, CRLF lines, and no cell a spreadsheet would run as a formula. */

/** One cell: dates as ISO instants, quotes doubled, a leading = + - @ made text. */
export function csvCell(v: unknown): string {
  let s = '';
  if (v instanceof Date) s = v.toISOString();
  else if (typeof v === 'string') s = v;
  else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
  else if (v !== null && v !== undefined) s = JSON.stringify(v);
  // A cell starting with = + - @ is text, not a spreadsheet formula.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The whole document: a header row and the rows. */
export function csvDocument(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
