import fs from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

import type {Browser, Page} from 'puppeteer-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {CostForecast} from '../../forecasters/types.js'
import type {CostReport} from '../../src/cost/report-builder.js'
import {commandContracts} from '../../src/output/contracts.js'
import {launchChromium, parseJson, repoRoot, runCli, tempDir} from '../helpers/index.js'

// The demo's fixed "today": its data ends 2026-10-31.
const env = {FINOPS_NOW: '2026-11-01'}
const WINDOW = ['--from', '2026-10-02', '--to', '2026-10-31']
const SCOPE = ['--group-by', 'service', '--filter', 'currency=USD']
const ARTIFACTS = path.join(repoRoot, 'test', '.artifacts')

interface DrawnChart {
  id: string
  series: string[]
  texts: string[]
  paths: number
  width: number
  height: number
  title: string
  desc: string
  labelledBy: string | null
}

describe('finops report: the HTML report in the real headless chromium', () => {
  let tmp: ReturnType<typeof tempDir>
  let db: string
  let html: string
  let browser: Browser
  let close: () => Promise<void>
  let page: Page
  const consoleErrors: string[] = []
  const requests: string[] = []

  beforeAll(async () => {
    tmp = tempDir()
    const demo = await runCli(['demo', '--dir', path.join(tmp.dir, 'demo')], {env})
    expect(demo.code, demo.stderr).toBe(0)
    db = path.join(tmp.dir, 'demo', 'finops-demo.db')
    html = path.join(tmp.dir, 'report.html')
    const written = await runCli(['report', '--db', db, '--out', html, ...WINDOW, ...SCOPE], {env})
    expect(written.code, written.stderr).toBe(0)
    expect(written.stdout).toContain(`written to ${html}`)
    // The same run as --json, held to its published contract (written to a second file).
    const described = await runCli(
      ['report', '--db', db, '--out', path.join(tmp.dir, 'described.html'), ...WINDOW, ...SCOPE, '--json'],
      {env},
    )
    expect(described.code, described.stderr).toBe(0)
    expect(commandContracts.report.parse(parseJson(described))).toMatchObject({
      out: path.join(tmp.dir, 'described.html'),
    })
    ;({browser, close} = await launchChromium())
    page = await browser.newPage()
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    page.on('pageerror', (error) => consoleErrors.push(String(error)))
    const url = pathToFileURL(html).href
    page.on('request', (request) => {
      if (request.url() !== url) requests.push(request.url())
    })
    await page.setViewport({width: 1200, height: 900})
    await page.goto(url, {waitUntil: 'load'})
  }, 300_000)

  afterAll(async () => {
    await close?.()
    tmp?.cleanup()
  })

  const charts = (): Promise<DrawnChart[]> =>
    page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector('svg')!
        const box = svg.getBoundingClientRect()
        return {
          id: figure.id,
          series: JSON.parse(svg.getAttribute('data-series') ?? '[]') as string[],
          texts: [...svg.querySelectorAll('text')].map((t) => t.textContent ?? ''),
          paths: svg.querySelectorAll('path').length,
          width: box.width,
          height: box.height,
          title: svg.querySelector('title')?.textContent ?? '',
          desc: svg.querySelector('desc')?.textContent ?? '',
          labelledBy: svg.getAttribute('aria-labelledby'),
        }
      }),
    )

  it('opens without console errors and makes no network request', async () => {
    expect(consoleErrors).toEqual([])
    expect(requests).toEqual([])
    const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.getAttribute('content'))
    expect(csp).toContain("default-src 'none'")
  })

  it('draws every chart with its series, axes and a text alternative', async () => {
    const drawn = await charts()
    const ids = drawn.map((c) => c.id)
    expect(ids).toEqual(
      expect.arrayContaining(['chart-spend', 'chart-forecast', 'chart-budget-0', 'chart-movers', 'chart-allocation']),
    )
    const report = parseJson<CostReport>(
      await runCli(
        ['cost', 'report', '--db', db, ...WINDOW, ...SCOPE, '--granularity', 'day', '--top', '8', '--json'],
        {
          env,
        },
      ),
    )
    for (const chart of drawn) {
      expect(chart.width, chart.id).toBeGreaterThan(300)
      expect(chart.height, chart.id).toBeGreaterThan(150)
      expect(chart.paths, chart.id).toBeGreaterThan(chart.series.length)
      expect(chart.title.length, chart.id).toBeGreaterThan(5)
      expect(chart.desc.length, chart.id).toBeGreaterThan(20)
      expect(chart.labelledBy, chart.id).toMatch(/-title .*-desc$/)
      // Each series has its legend entry drawn.
      for (const name of chart.series) expect(chart.texts, `${chart.id}: ${name}`).toContain(name)
    }
    const spend = drawn.find((c) => c.id === 'chart-spend')!
    // One series per report row (top 8 and Other), the previous period, and the anomalies when there are any.
    const anomalies = await page.$$eval('#anomalies-table tbody tr', (rows) => rows.length)
    expect(spend.series).toHaveLength(report.rows.length + 1 + (anomalies > 0 ? 1 : 0))
    expect(spend.series.slice(0, report.rows.length)).toEqual(
      report.rows.map((r) => (r.other ? 'Other' : r.keys.join(' / '))),
    )
    // Axis ticks: the first and last day of the window, and money on the value axis.
    expect(spend.texts).toEqual(expect.arrayContaining(['10-02', '$0.0']))
    expect(drawn.find((c) => c.id === 'chart-forecast')!.series).toEqual(['Actual', 'Forecast', '80% interval'])
    expect(drawn.find((c) => c.id === 'chart-allocation')!.series).toEqual(['CPU', 'Memory', 'Idle'])
  })

  it('shows the same numbers as cost report --json and forecast --json for the window', async () => {
    const report = parseJson<CostReport>(
      await runCli(
        ['cost', 'report', '--db', db, ...WINDOW, ...SCOPE, '--granularity', 'day', '--top', '8', '--json'],
        {
          env,
        },
      ),
    )
    const rows = await page.$$eval('#spend-table tbody tr', (trs) =>
      trs.map((tr) => ({
        label: tr.cells[0]!.textContent,
        total: Number(tr.querySelector('td.total')!.getAttribute('data-value')),
        previous: Number(tr.querySelector('td.previous')!.getAttribute('data-value')),
      })),
    )
    expect(rows).toEqual(
      report.rows.map((r) => ({
        label: r.other ? 'Other' : r.keys.join(' / '),
        total: r.total,
        previous: r.previousTotal,
      })),
    )
    const grand = await page.$eval('#spend-table td.grand-total', (td) => Number(td.getAttribute('data-value')))
    expect(grand).toBe(report.totals[0]!.total)
    expect(await page.$eval('#kpi-spend .tile-value', (e) => Number(e.getAttribute('data-value')))).toBe(
      report.totals[0]!.total,
    )
    const daily = await page.$$eval('#spend-daily-table tbody tr', (trs) =>
      trs.map((tr) => [tr.cells[0]!.textContent, Number(tr.cells[1]!.getAttribute('data-value'))]),
    )
    expect(daily).toEqual(report.periods.map((day, i) => [day, report.totals[0]!.periods[i]]))

    const forecast = parseJson<CostForecast>(
      await runCli(['forecast', '--db', db, '--to', '2026-10-31', '--filter', 'currency=USD', '--json'], {env}),
    )
    const total = forecast.currencies[0]!.total
    const shown = await page.$$eval('#forecast-months tfoot td', (tds) =>
      tds.slice(2, 5).map((td) => Number(td.getAttribute('data-value'))),
    )
    expect(shown).toEqual([total.mean, total.lower, total.upper])
    const days = await page.$$eval('#forecast-daily tbody tr', (trs) =>
      trs.map((tr) => [tr.cells[0]!.textContent, Number(tr.cells[1]!.getAttribute('data-value'))]),
    )
    expect(days).toEqual(forecast.currencies[0]!.daily.map((p) => [p.date, p.mean]))
  })

  it('sorts the recommendations by a clicked column with its inline script', async () => {
    const savings = () =>
      page.$$eval('#recommendations-table tbody tr', (trs) =>
        trs.map((tr) => Number(tr.cells[4]!.getAttribute('data-value'))),
      )
    const before = await savings()
    expect(before.length).toBeGreaterThan(2)
    await page.click('#recommendations-table th:nth-child(5) button')
    const ascending = await savings()
    expect(ascending).toEqual([...before].sort((a, b) => a - b))
    await page.click('#recommendations-table th:nth-child(5) button')
    expect(await savings()).toEqual([...before].sort((a, b) => b - a))
    expect(await page.$eval('#recommendations-table th:nth-child(5)', (th) => th.getAttribute('aria-sort'))).toBe(
      'descending',
    )
  })

  it('fits a phone screen and writes screenshots for review', async () => {
    fs.mkdirSync(ARTIFACTS, {recursive: true})
    await page.screenshot({path: path.join(ARTIFACTS, 'report-desktop.png'), fullPage: true})
    await page.setViewport({width: 390, height: 844})
    // Wide tables scroll inside their own box; the page itself never scrolls sideways.
    const overflow = await page.$eval('html', (root) => root.scrollWidth - root.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    // Each chart switches to its phone drawing (narrower, taller, labels at their real size).
    const shown = await page.$$eval('figure.chart', (figures) =>
      figures.map((f) => [...f.querySelectorAll('svg')].map((s) => s.getBoundingClientRect().width)),
    )
    for (const [wide, narrow] of shown) {
      expect(wide).toBe(0)
      expect(narrow).toBeGreaterThan(300)
      expect(narrow).toBeLessThanOrEqual(390)
    }
    await page.screenshot({path: path.join(ARTIFACTS, 'report-phone.png'), fullPage: true})
    expect(fs.statSync(path.join(ARTIFACTS, 'report-phone.png')).size).toBeGreaterThan(10_000)
  })
})
