/**
 * A real headless Chromium for the tests that look at the HTML report as a person would. It is the system's
 * browser (Debian: `apt-get install chromium`), driven by playwright-core, which never downloads one. Tests that
 * need it skip where it is missing, and say so in their title (.ci/run lists skipped tests before its summary).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** The browser binary: CHROMIUM_PATH, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** What a skipped test says about it. */
export const NO_CHROMIUM = `skipped: no Chromium at ${CHROMIUM} (install it: apt-get install chromium, or set CHROMIUM_PATH)`;

// Without the networking switches Chromium's background connections are refused by a closed network and it
// stalls; a fresh profile keeps runs independent.
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface Browser { context: BrowserContext; close(): Promise<void> }

/** Starts Chromium with a fresh profile and a `width` × `height` viewport. */
export async function launchChromium(width: number, height: number): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'aq-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width, height },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
