/**
 * Paths tests use: the repository root and the reference fixtures in test/fixtures (ESP-PPQ's and ESP-DL's
 * outputs; test/fixtures/README.md says where each comes from).
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { inject } from 'vitest';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');
export const fixture = (...parts: string[]): string => path.join(FIXTURES, ...parts);

/** The packed single-operator bank (one .tar.br per target/bits); unpack-fixtures.ts unpacks it before the tests. */
export const OPS_ARCHIVES = fixture('ops');
/** A path inside the unpacked single-operator bank: `opsFixture('INDEX.json')`, `opsFixture('esp32p4_8', 'Conv', …)`. */
export const opsFixture = (...parts: string[]): string => path.join(inject('opsFixtureDir'), ...parts);
