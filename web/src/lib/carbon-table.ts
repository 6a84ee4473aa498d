/**
 * Carbon's data table and pagination for the pages that list things (the case centre), with the table's sort buttons
 * and the pagination's labels in the page's language. Paging is keyset (the API answers a page and the cursor of the
 * next): the pagination knows the pages seen so far and whether there is one more, never a total it was not told.
 */
import '@carbon/web-components/es/components/data-table/index.js';
import '@carbon/web-components/es/components/pagination/index.js';
import './carbon';
import { t } from './i18n';

export type SortDirection = 'ascending' | 'descending' | 'none';

export interface Column {
  label: string;
  /** Set for a sortable column: how it is sorted now ('none' when another column is). */
  sort?: SortDirection;
  /** Called with the direction asked for when the column's sort button is pressed. */
  onSort?: (next: SortDirection) => void;
}

/** A Carbon data table: cds-table over its header row and an empty body to fill with `tableRow`. */
export function dataTable(
  columns: Column[],
  attrs: Record<string, string> = {},
): { table: HTMLElement; body: HTMLElement; header: HTMLElement } {
  const table = document.createElement('cds-table');
  table.setAttribute('size', 'md');
  for (const [k, v] of Object.entries(attrs)) table.setAttribute(k, v);
  const headerRow = document.createElement('cds-table-header-row');
  for (const c of columns) {
    const cell = document.createElement('cds-table-header-cell');
    cell.textContent = c.label;
    if (c.sort) {
      cell.setAttribute('sort-direction', c.sort);
      cell.setAttribute('is-sortable', '');
      cell.setAttribute('aria-sort', c.sort);
    }
    headerRow.append(cell);
  }
  // The server sorts: the header's sort request is taken here, before Carbon's table would sort the rows it holds.
  headerRow.addEventListener('cds-table-header-cell-sort', (event) => {
    event.stopPropagation();
    event.preventDefault();
    const index = [...headerRow.children].indexOf(event.target as Element);
    const column = columns[index];
    const detail = (event as CustomEvent<{ sortDirection: SortDirection }>).detail;
    column?.onSort?.(detail.sortDirection);
  });
  const head = document.createElement('cds-table-head');
  head.append(headerRow);
  const body = document.createElement('cds-table-body');
  table.append(head, body);
  return { table, body, header: headerRow };
}

/**
 * Sorting the rows the page holds (when the page has them all): the column's header shows the direction, and `sort`
 * puts the rows in order. Two states, ascending and descending, from the direction the page starts in.
 */
export function sortHere(
  header: HTMLElement,
  index: number,
  sort: (direction: 'ascending' | 'descending') => void,
): (next: SortDirection) => void {
  return () => {
    const cell = header.children[index];
    const now = cell?.getAttribute('sort-direction');
    const direction = now === 'ascending' ? 'descending' : 'ascending';
    cell?.setAttribute('sort-direction', direction);
    cell?.setAttribute('aria-sort', direction);
    sort(direction);
  };
}

/** A simple Carbon data table of rows built with `tableRow` (no sorting), or the words given when there are none. */
export function listTable(
  labels: string[],
  rows: HTMLElement[],
  attrs: Record<string, string>,
  none: string,
): HTMLElement {
  if (rows.length === 0) {
    const p = document.createElement('p');
    for (const [k, v] of Object.entries(attrs)) p.setAttribute(k, v);
    p.textContent = none;
    return p;
  }
  const { table, body } = dataTable(
    labels.map((label) => ({ label })),
    attrs,
  );
  body.append(...rows);
  return table;
}

/** A data table's toolbar (the table's slot "toolbar"): filters and actions above the rows, as Carbon lays them out. */
export function tableToolbar(...content: Node[]): HTMLElement {
  const bar = document.createElement('cds-table-toolbar');
  bar.setAttribute('slot', 'toolbar');
  const inner = document.createElement('cds-table-toolbar-content');
  inner.append(...content);
  bar.append(inner);
  return bar;
}

/** A row of a Carbon data table; a cell is its content, or [content, attributes]. */
export function tableRow(
  attrs: Record<string, string>,
  cells: Array<Node | string | [Array<Node | string>, Record<string, string>]>,
): HTMLElement {
  const row = document.createElement('cds-table-row');
  for (const [k, v] of Object.entries(attrs)) row.setAttribute(k, v);
  for (const c of cells) {
    const cell = document.createElement('cds-table-cell');
    if (Array.isArray(c)) {
      cell.append(...c[0]);
      for (const [k, v] of Object.entries(c[1])) cell.setAttribute(k, v);
    } else cell.append(c);
    row.append(cell);
  }
  return row;
}

interface CarbonPagination extends HTMLElement {
  page: number;
  pageSize: number;
  totalItems: number;
  start: number;
  backwardText: string;
  forwardText: string;
  itemsPerPageText: string;
  formatLabelText: (o: { count: number }) => string;
  formatSupplementalText: (o: { count: number }) => string;
  formatStatusWithDeterminateTotal: (o: { start: number; end: number; count: number }) => string;
  formatStatusWithIndeterminateTotal: (o: { start: number; end: number; count: number }) => string;
}

/**
 * Carbon pagination over keyset pages. `load(after)` fetches a page (after the cursor given) and answers how many
 * rows came and the next page's cursor; the pages seen are remembered, so the reader can go back and forth, and the
 * last page is known once the server says there is no next. `onPageSize` is told a new page size.
 */
export function keysetPagination(options: {
  pageSize: number;
  pageSizes: number[];
  load: (after: string | undefined) => Promise<{ count: number; next: string | null }>;
  onPageSize: (size: number) => void;
  onError: (error: unknown) => void;
  attrs?: Record<string, string>;
  /** What the status says when there are no rows (the case centre's words unless given). */
  none?: string;
}): { element: HTMLElement; start: () => Promise<void> } {
  const pager = document.createElement('cds-pagination') as CarbonPagination;
  for (const [k, v] of Object.entries(options.attrs ?? {})) pager.setAttribute(k, v);
  pager.pageSize = options.pageSize;
  pager.backwardText = t('cdsPrevPage');
  pager.forwardText = t('cdsNextPage');
  pager.itemsPerPageText = `${t('cdsPerPage')}：`;
  /** Rows known to exist (a lower bound until the last page is seen), and whether the last page has been seen. */
  let known = 0;
  let complete = false;
  pager.formatLabelText = () => t('cdsPage');
  pager.formatSupplementalText = ({ count }) => `/ ${count}${complete ? '' : '+'} ${t('cdsPages')}`;
  pager.formatStatusWithDeterminateTotal = ({ start, end, count }) =>
    count === 0
      ? (options.none ?? t('ccNone'))
      : complete
        ? `${start}–${end} / ${count} ${t('cdsItems')}`
        : `${start}–${end} ${t('cdsItems')}`;
  pager.formatStatusWithIndeterminateTotal = pager.formatStatusWithDeterminateTotal;
  for (const size of options.pageSizes) {
    const item = document.createElement('cds-select-item');
    item.setAttribute('value', String(size));
    item.textContent = String(size);
    pager.append(item);
  }
  /** cursors[p - 1] is where page p starts. */
  const cursors: Array<string | undefined> = [undefined];
  const show = async (page: number) => {
    const { count, next } = await options.load(cursors[page - 1]);
    if (next) cursors[page] = next;
    const start = (page - 1) * options.pageSize;
    if (!next) complete = true;
    // while there are more: one row more than seen, so "next" stays on
    known = next ? Math.max(known, start + count + 1) : start + count;
    pager.totalItems = known;
    pager.page = page;
  };
  pager.addEventListener('cds-pagination-changed-current', (event) => {
    const { page } = (event as CustomEvent<{ page: number }>).detail;
    void show(page).catch(options.onError);
  });
  pager.addEventListener('cds-page-sizes-select-changed', (event) => {
    options.onPageSize((event as CustomEvent<{ pageSize: number }>).detail.pageSize);
  });
  return { element: pager, start: () => show(1) };
}
