/**
 * A real headless Chromium for the tests that look at the HTML report as a person would: the system's browser
 * (Debian: `apt-get install chromium`), started by scripts/screenshot-report.mjs through playwright-core, which
 * never downloads one. Tests that need it skip where it is missing and say so in their title (.ci/run lists
 * skipped tests before its summary line).
 */
import { existsSync } from 'node:fs';
import { CHROMIUM } from '../../scripts/screenshot-report.mjs';

export { launchChromium } from '../../scripts/screenshot-report.mjs';
export type Browser = Awaited<ReturnType<typeof import('../../scripts/screenshot-report.mjs').launchChromium>>;

export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** What a skipped test says about it. */
export const NO_CHROMIUM = `skipped: no Chromium at ${CHROMIUM} (install it: apt-get install chromium, or set CHROMIUM_PATH)`;
