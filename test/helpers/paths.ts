/** Paths tests use: the repository root and the shared fixtures folder (../shared/fixtures; see scripts/shared-dir.mjs). */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { sharedDir } from '../../scripts/shared-dir.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = sharedDir(REPO_ROOT);
export const FIXTURES = path.join(SHARED, 'fixtures');
export const fixture = (...parts: string[]): string => path.join(FIXTURES, ...parts);
