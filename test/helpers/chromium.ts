import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import puppeteer, {type Browser} from 'puppeteer-core'

/** Debian's chromium (`npm test` installs it as root: scripts/test-setup.mjs). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Starts the real headless chromium with a fresh profile and nothing that talks to the network on its
 * own (so any request a test sees came from the page). A missing browser fails the test.
 */
export async function launchChromium(): Promise<{browser: Browser; close: () => Promise<void>}> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (npm test installs it as root: scripts/test-setup.mjs)`,
    )
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
  return {
    browser,
    close: async () => {
      await browser.close()
      fs.rmSync(profile, {recursive: true, force: true})
    },
  }
}
