/**
 * This package's own package.json (name and version for `--version`, the Action's log and cache fingerprint).
 * Found two folders above this module in every layout it runs from: src/node (tests), lib/node (npm), and the
 * Action bundle dist/action.
 */
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
