#!/usr/bin/env node
/**
 * A PNG of an HTML report as headless Chromium draws it, e.g. docs/reports-demo.png (docs/reports.md):
 *
 *   node scripts/screenshot-report.mjs outputs/demo-search/report.html docs/reports-demo.png [--width 1200]
 *
 * Uses the system's Chromium (CHROMIUM_PATH, else /usr/bin/chromium; Debian: apt-get install chromium) through
 * playwright-core, which never downloads a browser. launchChromium is also what the browser tests start.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without the networking switches Chromium's background connections hang on a closed network; a fresh profile
// keeps runs independent.
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Chromium with a fresh profile and a width × height viewport; close() also removes the profile. */
export async function launchChromium(width, height) {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'aq-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width, height } });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

async function main(argv) {
  const width = argv.includes('--width') ? Number(argv[argv.indexOf('--width') + 1]) : 1200;
  const [report, out] = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--width');
  if (!report || !out || !(width > 0)) {
    console.error('usage: node scripts/screenshot-report.mjs REPORT.html OUT.png [--width 1200]');
    return 2;
  }
  const browser = await launchChromium(width, 800);
  try {
    const page = await browser.context.newPage();
    await page.goto(pathToFileURL(path.resolve(report)).href, { waitUntil: 'load' });
    await page.screenshot({ path: out, fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(out);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main(process.argv.slice(2));
