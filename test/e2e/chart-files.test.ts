import fs from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {decodePng, runCli, tempDir} from '../helpers/index.js'

const env = {FINOPS_NOW: '2026-11-01'}

/** The text drawn in an SVG (legend entries, axis ticks, labels). */
const svgTexts = (svg: string): string[] =>
  [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!.replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>'),
  )
const svgSeries = (svg: string): string[] =>
  JSON.parse(/data-series="([^"]*)"/.exec(svg)![1]!.replaceAll('&quot;', '"')) as string[]

describe('charts as files: --output svg|png on cost report, forecast and budget status', () => {
  let tmp: ReturnType<typeof tempDir>
  let db: string
  beforeAll(async () => {
    tmp = tempDir()
    const demo = await runCli(['demo', '--dir', path.join(tmp.dir, 'demo')], {env})
    expect(demo.code, demo.stderr).toBe(0)
    db = path.join(tmp.dir, 'demo', 'finops-demo.db')
  }, 300_000)
  afterAll(() => tmp?.cleanup())

  it('draws cost report as SVG: one series per row, day axis, money axis, title and description', async () => {
    const result = await runCli(
      [
        'cost',
        'report',
        '--db',
        db,
        '--from',
        '2026-10-02',
        '--to',
        '2026-10-31',
        '--granularity',
        'day',
        '--top',
        '4',
        '--output',
        'svg',
      ],
      {env},
    )
    expect(result.code, result.stderr).toBe(0)
    const svg = result.stdout
    expect(svg).toMatch(/^<svg role="img" aria-labelledby="[^"]+"/)
    expect(svg).toMatch(
      /<title id="[^"]+">Daily spend 2026-10-02 to 2026-10-31<\/title><desc id="[^"]+">[^<]{40,}<\/desc>/,
    )
    const series = svgSeries(svg)
    // Top 4 and Other, and the anomaly pin when the window has one: no previous-period series in a file.
    expect(series.slice(0, 5)).toHaveLength(5)
    expect(series[4]).toBe('Other')
    const texts = svgTexts(svg)
    for (const name of series) expect(texts).toContain(name)
    expect(texts).toEqual(expect.arrayContaining(['10-02', '$0.0']))
    expect(texts.some((t) => /^\$\d/.test(t) && t !== '$0.0')).toBe(true)
  })

  it('writes PNGs with --out that are real pictures, not blank canvases', async () => {
    const cases = [['cost', 'report', '--group-by', 'provider'], ['forecast'], ['budget', 'status']]
    for (const argv of cases) {
      const out = path.join(tmp.dir, `${argv.join('-')}.png`)
      const result = await runCli([...argv, '--db', db, '--output', 'png', '--out', out], {env})
      expect(result.code, `${argv.join(' ')}: ${result.stderr}`).toBe(0)
      const png = decodePng(fs.readFileSync(out))
      expect(png.width).toBe(1800)
      expect(png.height).toBeGreaterThan(300)
      // Count pixels that are clearly not the white background, and how many distinct colours there are.
      let inked = 0
      const colours = new Set<number>()
      for (let i = 0; i < png.pixels.length; i += png.channels) {
        const [r, g, b] = [png.pixels[i]!, png.pixels[i + 1]!, png.pixels[i + 2]!]
        if (r < 200 || g < 200 || b < 200) inked++
        colours.add((r << 16) | (g << 8) | b)
      }
      const share = inked / (png.width * png.height)
      expect(share, argv.join(' ')).toBeGreaterThan(0.01)
      expect(share, argv.join(' ')).toBeLessThan(0.9)
      expect(colours.size, argv.join(' ')).toBeGreaterThan(20)
    }
  })

  it('refuses a PNG on stdout', async () => {
    const stdout = await runCli(['forecast', '--db', db, '--output', 'png'], {env})
    expect(stdout.code).toBe(2)
    expect(stdout.stderr).toMatch(/--output png writes a binary file/)
    expect(stdout.stdout).toBe('')
  })
})
