import {formatMoney} from '../../money.js'

/** One day of actual spend before the forecast. */
export interface ActualDay {
  date: string
  amount: number
}

/** One forecast day: the mean and its prediction interval. */
export interface ForecastDay {
  date: string
  mean: number
  lower: number
  upper: number
}

export interface TerminalChartInput {
  currency: string
  /** Interval level in percent. */
  level: number
  actuals: readonly ActualDay[]
  forecast: readonly ForecastDay[]
}

export interface TerminalChartOptions {
  /** The terminal's width in columns. */
  columns: number
  /** ANSI colours; false when NO_COLOR is set or the output is not a terminal. */
  color: boolean
  /** Plot rows (default 12). */
  height?: number
}

/** Narrower than this, a chart cannot show a shape next to its axis labels: a note says so instead. */
export const MIN_CHART_COLUMNS = 40

const ACTUAL = '█'
const ACTUAL_HALF = '▄'
const MEAN = '━'
const BAND = '░'
const AXIS = '┤'

const ANSI = {actual: '\u001B[36m', mean: '\u001B[33m', band: '\u001B[34m', dim: '\u001B[2m', reset: '\u001B[0m'}

type Cell = ' ' | typeof ACTUAL | typeof ACTUAL_HALF | typeof MEAN | typeof BAND

/** One plotted column: a bucket of consecutive days, averaged (a day per column when they fit). */
type Column = {kind: 'actual'; value: number} | {kind: 'forecast'; mean: number; lower: number; upper: number}

/**
 * The forecast in the terminal, where its shape matters more than its numbers: actual days as bars,
 * then the forecast mean as a line inside its prediction interval (a shaded band), on one money
 * axis. Pure: the caller says how wide the terminal is and whether colour is wanted.
 */
export function renderTerminalForecastChart(input: TerminalChartInput, options: TerminalChartOptions): string {
  if (options.columns < MIN_CHART_COLUMNS)
    return `(No chart: the terminal is ${options.columns} columns wide and the chart needs ${MIN_CHART_COLUMNS}; widen it, or use --output svg --out FILE.)\n`
  if (input.forecast.length === 0) return '(No chart: nothing was forecast.)\n'
  const height = Math.max(4, options.height ?? 12)
  const all = [
    ...input.actuals.map((a) => a.amount),
    ...input.forecast.flatMap((f) => [f.lower, f.upper, f.mean]),
  ].filter(Number.isFinite)
  const top = niceCeiling(Math.max(0, ...all))
  const bottom = Math.min(0, ...all)
  // Whole amounts read better on an axis: `$1,500` rather than `$1,500.00`.
  const money = (v: number): string => formatMoney(v, input.currency).replace(/\.00(?=\D*$)/, '')
  const labels = [money(top), money(Math.round((top + bottom) / 2)), money(Math.floor(bottom))]
  const labelWidth = Math.max(...labels.map((l) => l.length))
  const plotWidth = options.columns - labelWidth - 2
  const {columns, firstActualDate} = bucketColumns(input, plotWidth)
  const actualColumns = columns.filter((c) => c.kind === 'actual').length
  const span = top - bottom || 1
  // Row 0 is the top; a value's row is where it falls on the axis, half cells for the bars' tops.
  const level = (v: number): number => ((v - bottom) / span) * height

  const grid: Cell[][] = Array.from({length: height}, () => Array.from({length: columns.length}, () => ' ' as Cell))
  columns.forEach((c, x) => {
    for (let row = 0; row < height; row++) {
      const cellBottom = height - 1 - row
      if (c.kind === 'actual') {
        const filled = level(c.value) - cellBottom
        grid[row]![x] = filled >= 0.75 ? ACTUAL : filled >= 0.25 ? ACTUAL_HALF : ' '
      } else {
        const meanRow = Math.min(height - 1, Math.floor(level(c.mean)))
        const low = Math.floor(level(c.lower))
        const high = Math.min(height - 1, Math.floor(level(c.upper)))
        if (cellBottom === meanRow) grid[row]![x] = MEAN
        else if (cellBottom >= low && cellBottom <= high) grid[row]![x] = BAND
      }
    }
  })

  const paint = (cell: Cell): string => {
    if (!options.color || cell === ' ') return cell
    const colour = cell === MEAN ? ANSI.mean : cell === BAND ? ANSI.band : ANSI.actual
    return `${colour}${cell}${ANSI.reset}`
  }
  const lines: string[] = []
  grid.forEach((cells, row) => {
    const label =
      row === 0 ? labels[0]! : row === Math.floor(height / 2) ? labels[1]! : row === height - 1 ? labels[2]! : ''
    lines.push(`${label.padStart(labelWidth)} ${AXIS}${cells.map(paint).join('')}`.trimEnd())
  })
  const rule = Array.from({length: columns.length}, (_, x) => (x === actualColumns && x > 0 ? '┴' : '─')).join('')
  lines.push(`${' '.repeat(labelWidth)} └${rule}`)
  lines.push(
    `${' '.repeat(labelWidth + 2)}${dateAxis(input, columns.length, actualColumns, firstActualDate)}`.trimEnd(),
  )
  // The key on one line when it fits, else one entry per line.
  const entries = [
    `${ACTUAL} actual`,
    `${MEAN} forecast mean`,
    `${BAND} ${input.level}% interval (${input.currency} per day)`,
  ]
  const indent = ' '.repeat(labelWidth + 2)
  const oneLine = entries.join('  ')
  const keyLines = indent.length + oneLine.length <= options.columns ? [oneLine] : entries
  for (const key of keyLines) lines.push(`${indent}${options.color ? `${ANSI.dim}${key}${ANSI.reset}` : key}`)
  return `${lines.join('\n')}\n`
}

/**
 * Fits the days into the plot's width: the forecast keeps as many columns as it needs (up to two
 * thirds of the width), the most recent actuals get the rest at the same days per column.
 * Buckets average their days.
 */
function bucketColumns(input: TerminalChartInput, width: number): {columns: Column[]; firstActualDate?: string} {
  const forecastWidth = Math.min(input.forecast.length, Math.max(1, Math.floor((width * 2) / 3)))
  const daysPerColumn = Math.ceil(input.forecast.length / forecastWidth)
  const actualWidth = Math.min(width - forecastWidth, Math.ceil(input.actuals.length / daysPerColumn))
  const actualDays = input.actuals.slice(Math.max(0, input.actuals.length - actualWidth * daysPerColumn))
  const columns: Column[] = [
    ...buckets(actualDays, actualWidth).map((days): Column => ({
      kind: 'actual',
      value: average(days.map((d) => d.amount)),
    })),
    ...buckets(input.forecast, forecastWidth).map((days): Column => ({
      kind: 'forecast',
      mean: average(days.map((d) => d.mean)),
      lower: average(days.map((d) => d.lower)),
      upper: average(days.map((d) => d.upper)),
    })),
  ]
  return {columns, firstActualDate: actualDays[0]?.date}
}

function buckets<T>(items: readonly T[], count: number): T[][] {
  if (count <= 0) return []
  const out: T[][] = []
  for (let b = 0; b < count; b++) {
    const start = Math.floor((b * items.length) / count)
    const end = Math.floor(((b + 1) * items.length) / count)
    if (end > start) out.push(items.slice(start, end))
  }
  return out
}

const average = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length)

/** A round number at or above the maximum (two significant digits), so the top label reads well: 1,600 rather than 1,537. */
function niceCeiling(max: number): number {
  if (max <= 0) return 1
  const step = 10 ** (Math.floor(Math.log10(max)) - 1)
  return Math.ceil(max / step - 1e-9) * step
}

/** The first actual day on the left, the first forecast day where the forecast starts, the last day on the right. */
function dateAxis(input: TerminalChartInput, width: number, forecastAt: number, firstActualDate?: string): string {
  const axis = Array.from({length: width}, () => ' ')
  const place = (text: string, at: number): void => {
    const start = Math.max(0, Math.min(width - text.length, at))
    if (axis.slice(Math.max(0, start - 1), start + text.length + 1).some((c) => c !== ' ')) return
    for (let i = 0; i < text.length && start + i < width; i++) axis[start + i] = text[i]!
  }
  place(input.forecast.at(-1)!.date, width)
  place(input.forecast[0]!.date, forecastAt)
  if (firstActualDate) place(firstActualDate, 0)
  return axis.join('')
}
