/** Paths tests use: the repository root and the shared fixtures folder beside it (../shared/fixtures). */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = path.resolve(REPO_ROOT, '../shared');
export const FIXTURES = path.join(SHARED, 'fixtures');
export const fixture = (...parts: string[]): string => path.join(FIXTURES, ...parts);
