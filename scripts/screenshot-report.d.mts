/** See screenshot-report.mjs. */
import type { BrowserContext } from 'playwright-core';
export const CHROMIUM: string;
export function launchChromium(width: number, height: number): Promise<{ context: BrowserContext; close(): Promise<void> }>;
