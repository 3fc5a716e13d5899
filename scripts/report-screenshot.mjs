#!/usr/bin/env node
// Writes a PNG of an HTML report as Debian's chromium shows it (for the README and for review):
//   node scripts/report-screenshot.mjs REPORT.html OUT.png [WIDTH]
// Without arguments: runs the demo into a scratch directory, writes its report and saves
// docs/report-screenshot.png (desktop width) and docs/report-phone.png (phone width), the top of each.
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import puppeteer from 'puppeteer-core'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export async function screenshot(html, png, {width = 1200, height = 900, fullPage = true} = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-chromium-'))
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${profile}`,
    ],
  })
  try {
    const page = await browser.newPage()
    await page.setViewport({width, height, deviceScaleFactor: 1})
    await page.goto(pathToFileURL(path.resolve(html)).href, {waitUntil: 'load'})
    await page.screenshot({path: png, fullPage})
  } finally {
    await browser.close()
    fs.rmSync(profile, {recursive: true, force: true})
  }
}

async function main() {
  const [html, png, width] = process.argv.slice(2)
  if (html && png) {
    await screenshot(html, png, {width: Number(width ?? 1200)})
    console.log(png)
    return
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-screenshot-'))
  try {
    const demoDir = path.join(dir, 'demo')
    // The demo's fixed "today" keeps the picture the same from run to run.
    const env = {...process.env, FINOPS_NOW: process.env.FINOPS_NOW ?? '2026-11-01'}
    const demo = spawnSync(process.execPath, [path.join(root, 'bin/run.js'), 'demo', '--dir', demoDir], {
      env,
      encoding: 'utf8',
    })
    if (demo.status !== 0) throw new Error(`finops demo failed:\n${demo.stderr}`)
    const report = path.join(demoDir, 'finops-report.html')
    if (!fs.existsSync(report)) throw new Error(`the demo wrote no report at ${report}`)
    fs.mkdirSync(path.join(root, 'docs'), {recursive: true})
    // The top of the page (summary, spend, forecast) keeps the pictures small enough for the README.
    await screenshot(report, path.join(root, 'docs/report-screenshot.png'), {
      width: 1200,
      height: 1500,
      fullPage: false,
    })
    await screenshot(report, path.join(root, 'docs/report-phone.png'), {width: 390, height: 1300, fullPage: false})
    console.log('docs/report-screenshot.png docs/report-phone.png')
  } finally {
    fs.rmSync(dir, {recursive: true, force: true})
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main()
