/** Small HTML building blocks: every text that reaches the page goes through `esc`. */

export function esc(text: unknown): string {
  return String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

/** A table cell: text shown, and (for numbers) the exact value in `data-value` for sorting and checks. */
export interface Cell {
  text: string
  value?: number | string
  /** Right-aligned numbers. */
  numeric?: boolean
  className?: string
  /** Markup already escaped by the caller (a details disclosure); shown instead of `text`. */
  html?: string
}

export const num = (text: string, value: number | string, className?: string): Cell => ({
  text,
  value,
  numeric: true,
  className,
})
export const txt = (text: string, className?: string): Cell => ({text, className})

/**
 * A data table. `sortable` adds header buttons that sort by a column's `data-value` (the tiny inline
 * script at the end of the page does it; without script the table still reads in its given order).
 */
export function table(options: {
  caption: string
  headers: string[]
  rows: Cell[][]
  id?: string
  sortable?: boolean
  footer?: Cell[][]
}): string {
  const head = options.headers
    .map((h) =>
      options.sortable
        ? `<th scope="col" aria-sort="none"><button type="button" class="sort">${esc(h)}</button></th>`
        : `<th scope="col">${esc(h)}</th>`,
    )
    .join('')
  const cell = (c: Cell, tag = 'td'): string => {
    const classes = [c.numeric ? 'num' : '', c.className ?? ''].filter(Boolean).join(' ')
    const value = c.value === undefined ? '' : ` data-value="${esc(c.value)}"`
    return `<${tag}${classes ? ` class="${classes}"` : ''}${value}>${c.html ?? esc(c.text)}</${tag}>`
  }
  const body = options.rows.map((r) => `<tr>${r.map((c) => cell(c)).join('')}</tr>`).join('\n')
  const foot = options.footer?.length
    ? `<tfoot>${options.footer.map((r) => `<tr>${r.map((c) => cell(c)).join('')}</tr>`).join('')}</tfoot>`
    : ''
  return (
    `<div class="table-wrap"><table${options.id ? ` id="${esc(options.id)}"` : ''}${options.sortable ? ' class="sortable"' : ''}>` +
    `<caption>${esc(options.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody>${foot}</table></div>`
  )
}

/** A chart (its drawn markup) and the table with its numbers (the chart's text alternative for every reader). */
export function figure(
  id: string,
  svg: string,
  dataTable: string,
  options: {open?: boolean; more?: string} = {},
): string {
  const more = options.more ? `<details><summary>Daily numbers</summary>${options.more}</details>` : ''
  return (
    `<figure class="chart" id="${esc(id)}">${svg}` +
    `<details${options.open ? ' open' : ''}><summary>Data table</summary>${dataTable}</details>${more}</figure>`
  )
}

export const day = (text: string): Cell => ({text, className: 'day'})
