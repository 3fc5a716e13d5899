import {describe, expect, it} from 'vitest'

import {colorWanted, terminalColumns} from '../../../src/cli/terminal.js'
import {addDays} from '../../../src/dates.js'
import {MIN_CHART_COLUMNS, renderTerminalForecastChart} from '../../../src/output/charts/terminal-forecast-chart.js'

const ESC = '\u001B['

// Sixty days of weekday/weekend spend around $1,000, then a 30-day forecast whose interval widens.
const actuals = Array.from({length: 60}, (_, i) => {
  const date = addDays('2026-09-01', i)
  return {date, amount: new Date(`${date}T00:00:00Z`).getUTCDay() % 6 === 0 ? 700 : 1000 + i}
})
const forecast = Array.from({length: 30}, (_, i) => ({
  date: addDays('2026-10-31', i),
  mean: 1100,
  lower: 1100 - 150 - 10 * i,
  upper: 1100 + 150 + 10 * i,
}))
const input = {currency: 'USD', level: 80, actuals, forecast}

const plotRows = (chart: string): string[] => chart.split('\n').filter((l) => l.includes('┤'))
const plotOf = (line: string): string => line.slice(line.indexOf('┤') + 1)

describe('the terminal forecast chart', () => {
  const chart = renderTerminalForecastChart(input, {columns: 100, color: false})

  it('draws the interval band above and below the mean in every forecast column', () => {
    const rows = plotRows(chart).map(plotOf)
    const width = Math.max(...rows.map((r) => r.length))
    let forecastColumns = 0
    for (let x = 0; x < width; x++) {
      const column = rows.map((r) => r[x] ?? ' ')
      const mean = column.indexOf('━')
      if (mean < 0) continue
      forecastColumns++
      expect(column.slice(0, mean).includes('░'), `band above the mean in column ${x}`).toBe(true)
      expect(column.slice(mean + 1).includes('░'), `band below the mean in column ${x}`).toBe(true)
      expect(column.filter((c) => c === '━')).toHaveLength(1)
      expect(column.includes('█') || column.includes('▄')).toBe(false)
    }
    expect(forecastColumns).toBe(30)
    // The actual days come first, as bars.
    expect(rows.at(-1)!.trimEnd()).toMatch(/^█+/)
  })

  it('the band widens with the horizon as the interval does', () => {
    const rows = plotRows(chart).map(plotOf)
    const bandHeight = (x: number) => rows.filter((r) => r[x] === '░' || r[x] === '━').length
    const columns = rows[0]!.length
    const firstForecast = rows.map((r) => r.indexOf('━')).filter((i) => i >= 0)[0]!
    expect(bandHeight(columns - 1)).toBeGreaterThan(bandHeight(firstForecast))
  })

  it('labels the axis in the currency, and the first, forecast-start and last days', () => {
    const lines = chart.split('\n')
    expect(lines[0]).toMatch(/^\$1,600 ┤/)
    expect(chart).toMatch(/\$0 ┤/)
    const dates = lines.find((l) => l.includes('2026-10-31'))!
    expect(dates).toContain('2026-11-29')
    expect(chart).toContain('█ actual  ━ forecast mean  ░ 80% interval (USD per day)')
    expect(chart.split('\n').every((l) => l.length <= 100)).toBe(true)
  })

  it('fits a narrow terminal, and below the minimum says so instead of drawing', () => {
    const narrow = renderTerminalForecastChart(input, {columns: 50, color: false})
    expect(narrow.split('\n').every((l) => l.length <= 50)).toBe(true)
    expect(plotRows(narrow).length).toBe(12)
    const tooNarrow = renderTerminalForecastChart(input, {columns: MIN_CHART_COLUMNS - 1, color: false})
    expect(tooNarrow).toMatch(/^\(No chart: the terminal is 39 columns wide and the chart needs 40/)
    expect(tooNarrow).not.toContain('┤')
  })

  it('uses ANSI colours only when asked (NO_COLOR, not a terminal: none)', () => {
    expect(chart).not.toContain(ESC)
    expect(renderTerminalForecastChart(input, {columns: 100, color: true})).toContain(`${ESC}36m█`)
    expect(colorWanted({isTTY: true}, {NO_COLOR: '1'})).toBe(false)
    expect(colorWanted({isTTY: false}, {})).toBe(false)
    expect(colorWanted({isTTY: true}, {})).toBe(true)
    expect(colorWanted({isTTY: true}, {NO_COLOR: ''})).toBe(true)
  })

  it('takes the width from the terminal, then COLUMNS, then 80', () => {
    expect(terminalColumns({columns: 120}, {COLUMNS: '60'})).toBe(120)
    expect(terminalColumns({}, {COLUMNS: '60'})).toBe(60)
    expect(terminalColumns({}, {COLUMNS: 'wide'})).toBe(80)
    expect(terminalColumns({}, {})).toBe(80)
  })
})
