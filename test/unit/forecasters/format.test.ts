import {describe, expect, it} from 'vitest'

import type {CostForecast, CurrencyForecast, ForecastPoint} from '../../../forecasters/types.js'
import {
  monthEndLine,
  renderBacktestText,
  renderForecastCsv,
  renderForecastText,
} from '../../../src/output/forecast-format.js'

const points = (from: number, n: number, mean: number): ForecastPoint[] =>
  Array.from({length: n}, (_, i) => ({
    date: `2025-11-${String(from + i).padStart(2, '0')}`,
    mean,
    lower: mean * 0.9,
    upper: mean * 1.1,
  }))

function currency(code: string, mean: number): CurrencyForecast {
  const daily = points(1, 3, mean)
  let run = 0
  return {
    currency: code,
    model: 'robust-decomposition',
    level: 80,
    history: {from: '2025-06-01', to: '2025-10-31', days: 153, filled: 0},
    forecast: {from: '2025-11-01', to: '2025-11-03'},
    daily,
    cumulative: daily.map((p) => ({date: p.date, mean: (run += p.mean), lower: run * 0.95, upper: run * 1.05})),
    total: {mean: 3 * mean, lower: 2.85 * mean, upper: 3.15 * mean},
    components: {
      usage: daily.map((p) => ({date: p.date, mean: p.mean})),
      recurring: daily.map((p) => ({date: p.date, amount: 0})),
    },
    oneTime: {total: -200, charges: [{date: '2025-10-10', amount: -200}]},
    monthEnds: [
      {month: '2025-11', actualToDate: 0, mean: 3 * mean, lower: 2.85 * mean, upper: 3.15 * mean, complete: false},
    ],
    groups: [
      {
        keys: ['Compute'],
        model: 'seasonal-naive',
        daily,
        total: {mean: 3 * mean, lower: 2.7 * mean, upper: 3.3 * mean},
        history: {from: '2025-06-01', days: 153},
      },
    ],
    backtest: [
      {model: 'robust-decomposition', mase: 0.41, totalApe: 3.2, coverage: 0.79, origins: 20, horizonDays: 3},
      {model: 'seasonal-naive', mase: 0.9, totalApe: 8.1, coverage: null, origins: 20, horizonDays: 3},
    ],
    warnings: [],
  }
}

const forecast: CostForecast = {
  level: 80,
  metric: 'effective',
  horizonDays: 3,
  groupBy: ['service'],
  history: {from: '2025-06-01', to: '2025-10-31', days: 153},
  forecast: {from: '2025-11-01', to: '2025-11-03'},
  currency: 'USD',
  model: 'robust-decomposition',
  daily: points(1, 3, 100),
  currencies: [currency('USD', 100), currency('EUR', 40)],
  skippedCurrencies: [],
}

describe('forecast formatters', () => {
  it('says where a month will close, in its own currency', () => {
    expect(
      monthEndLine(
        {month: '2025-09', actualToDate: 1000, mean: 3100.5, lower: 2900, upper: 3300, complete: true},
        'USD',
        80,
        '2025-10-31',
      ),
    ).toBe(
      'September 2025 will close at $3,100.50, 80% interval $2,900.00 to $3,300.00 (USD; $1,000.00 already billed)',
    )
    expect(
      monthEndLine(
        {month: '2025-11', actualToDate: 0, mean: 120, lower: 100, upper: 150, complete: false},
        'EUR',
        90,
        '2025-11-03',
      ),
    ).toBe('November 2025 will be at (to 2025-11-03) €120.00, 90% interval €100.00 to €150.00 (EUR)')
  })

  it('renders one block per currency, never a sum across currencies', () => {
    const text = renderForecastText(forecast)
    expect(text).toContain('USD:')
    expect(text).toContain('EUR:')
    expect(text).toMatch(/November 2025 will be at \(to 2025-11-03\) \$300\.00/)
    expect(text).toMatch(/November 2025 will be at \(to 2025-11-03\) €120\.00/)
    expect(text).not.toContain('420.00')
    expect(text).toContain(
      'One-time charges excluded from the projection: -$200.00 over 1 day of history (last 2025-10-10)',
    )
  })

  it('CSV has the total and each group, per currency', () => {
    const lines = renderForecastCsv(forecast).trim().split('\n')
    expect(lines[0]).toBe('date,currency,service,mean,lower,upper,level,model')
    expect(lines).toHaveLength(1 + 2 * (3 + 3))
    expect(lines[1]).toBe('2025-11-01,USD,Total,100,90,110,80,robust-decomposition')
    expect(lines).toContain('2025-11-01,EUR,Compute,40,36,44,80,seasonal-naive')
  })

  it('CSV headers stay unique when grouped by currency', () => {
    const header = renderForecastCsv({...forecast, groupBy: ['currency']})
      .split('\n')[0]!
      .split(',')
    expect(header.slice(0, 3)).toEqual(['date', 'currency', 'group:currency'])
    expect(new Set(header).size).toBe(header.length)
  })

  it('backtest table marks the chosen model and shows n/a for an unknown coverage', () => {
    const text = renderBacktestText(forecast)
    expect(text).toMatch(/robust-decomposition\s+│\s+0\.410\s+│\s+3\.2%\s+│\s+79\.0%\s+│\s+chosen/)
    expect(text).toMatch(/seasonal-naive\s+│\s+0\.900\s+│\s+8\.1%\s+│\s+n\/a/)
  })
})
