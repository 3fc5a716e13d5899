import * as echarts from 'echarts'

/** One chart: what it says (for people who cannot see it) and what ECharts draws. */
export interface ChartSpec {
  /** Short title, also the SVG's `<title>`. */
  title: string
  /** A sentence or two that says what the chart shows and its main numbers, the SVG's `<desc>`. */
  description: string
  /** The names of the series drawn, in legend order (the tests count them). */
  series: string[]
  option: echarts.EChartsCoreOption
  width?: number
  height?: number
}

/**
 * Colour-blind-safe series colours (Okabe and Ito), strong enough to tell stacked areas apart on
 * screen and in print; grey last for "Other".
 */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#D55E00',
  '#CC79A7',
  '#56B4E9',
  '#8C6D31',
  '#F0E442',
  '#999999',
]
export const OTHER_COLOR = '#999999'
export const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif'

let chartCount = 0

/**
 * Text widths for layout (label room, legend wrapping). Without a canvas ECharts guesses from the
 * font size alone, which is too narrow for DejaVu Sans, the font the charts name first (the common
 * Linux font, and the one resvg finds on our images): labels then overflow their room. These are
 * DejaVu Sans advance widths in ems, close enough for layout.
 */
function measureText(text: string, font?: string): {width: number} {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? 12)
  let ems = 0
  for (const ch of text) {
    if (/[A-Z]/.test(ch)) ems += ch === 'M' || ch === 'W' ? 0.86 : 0.7
    else if (/[0-9]/.test(ch)) ems += 0.64
    else if (/[a-z]/.test(ch))
      ems += ch === 'm' || ch === 'w' ? 0.92 : ch === 'i' || ch === 'l' || ch === 'j' ? 0.28 : 0.6
    else if (ch === ' ') ems += 0.32
    else if (/[.,:;'|!]/.test(ch)) ems += 0.34
    else ems += 0.62
  }
  return {width: ems * size * (/bold/.test(font ?? '') ? 1.1 : 1)}
}
echarts.setPlatformAPI({measureText})

/**
 * Renders a chart to a standalone SVG string with ECharts' server-side renderer: no DOM, no canvas,
 * no script at view time. Adds the accessible name and description (`role="img"`, `<title>`,
 * `<desc>`) and `data-series` so a test can check what was drawn.
 */
export function renderChartSvg(spec: ChartSpec): string {
  const width = spec.width ?? 900
  // The legend wraps on a narrow chart: the plot moves down (and the chart grows) by its extra rows.
  const rows = legendRows(spec.series, width)
  const extra = (rows - 1) * LEGEND_ROW
  const height = (spec.height ?? 360) + extra
  const grid = spec.option.grid as {top?: number} | undefined
  const chart = echarts.init(null, null, {renderer: 'svg', ssr: true, width, height})
  try {
    chart.setOption({
      animation: false,
      color: PALETTE,
      textStyle: {fontFamily: FONT, fontSize: 12, color: '#222'},
      backgroundColor: '#ffffff',
      ...spec.option,
      ...(grid ? {grid: {...grid, top: (grid.top ?? 56) + extra}} : {}),
    })
    const svg = chart.renderToSVGString()
    const id = `chart-${++chartCount}`
    const head = svg.indexOf('>')
    const open = svg
      .slice(0, head)
      .replace(
        '<svg ',
        `<svg role="img" aria-labelledby="${id}-title ${id}-desc" data-series="${escapeXml(JSON.stringify(spec.series))}" `,
      )
    return `${open}><title id="${id}-title">${escapeXml(spec.title)}</title><desc id="${id}-desc">${escapeXml(spec.description)}</desc>${svg.slice(head + 1)}`
  } finally {
    chart.dispose()
  }
}

const LEGEND_ROW = 24

/** How many rows ECharts' legend takes for these names at this width (icon 25px, gap 14px, margins). */
function legendRows(names: readonly string[], width: number): number {
  let rows = 1
  let x = 0
  for (const name of names) {
    const item = 25 + 5 + measureText(name, '12px').width + 14
    if (x > 0 && x + item > width - 20) {
      rows++
      x = 0
    }
    x += item
  }
  return rows
}

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}
