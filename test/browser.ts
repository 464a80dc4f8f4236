import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'

type Test = { teardown: (fn: () => unknown) => void, fail: (message: string) => void }

/**
 * Debian's Chromium (`apt-get install chromium`, which .ci/run does when it is missing);
 * playwright-core drives it and downloads no browser.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

// The machine has no network but the loopback: no background connections, no sandbox (root).
// Playwright gives each launch a fresh temporary user-data-dir, so no profile carries over.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/**
 * Headless Chromium, closed when the test ends. When Chromium or playwright-core is missing
 * the test fails saying how to install it, and this returns undefined.
 */
export async function launchChromium (t: Test): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    t.fail(`Chromium is missing at ${CHROMIUM}: install it with \`apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium\` (bash .ci/run does), or set CHROMIUM_PATH`)
    return undefined
  }
  let playwright: typeof import('playwright-core')
  try {
    playwright = await import('playwright-core')
  } catch (err) {
    t.fail(`playwright-core is not installed (a devDependency: run npm ci): ${(err as Error).message}`)
    return undefined
  }
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  t.teardown(() => browser.close())
  return browser
}
