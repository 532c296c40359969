// Lint and the layering rule (docs/architecture.md), checked by `npm run lint` in .ci/run.
//
// LAYERS is the import direction of src/: a folder (or top-level file) may import only from rows ABOVE its own
// row; folders of one row do not import each other. With a strict order there can be no cycle between folders;
// import-x/no-cycle forbids cycles between files. The core (everything but the shells cli/, action/ and the
// Node adapters node/) imports no @actions/*, native module or Node I/O module and never touches `process`.
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Bottom to top. A row may import every row above it. */
const LAYERS = [
  ['errors.ts', 'log.ts'],
  ['ir'], // graph model, editing API, tensor math, pass runner
  ['ops'], // op registry: ESP-PPQ's and ESP-DL's tables
  ['data', 'onnx'], // input data; ONNX bytes <-> ir and the front end
  ['exec'], // running ir models on an InferenceRuntime
  ['quant'], // quantization engine, simulator, training
  ['espdl', 'autoquant'], // .espdl export/read; AutoQuant search, hashing, run folders
  ['cost'], // static latency and memory model (docs/latency.md)
  ['board'], // board protocol, benchmark use case
  ['report'], // Markdown/HTML/JSON rendering
  ['node'], // Node adapters (fs, onnxruntime-node, serialport, esptool, QEMU) implementing the core's seams
  ['app'], // use cases: wire the Node adapters to the core once, for every shell (docs/architecture.md)
  ['cli', 'action', 'api', 'index.ts'], // shells: CLI, GitHub Action, library API
];

/**
 * Imports that break the rule today, each with who removes it. TEMPORARY: delete a row when its import is gone
 * (lint then reports nothing more for that file; a stale row is harmless but misleading).
 */
const TEMPORARY_EXCEPTIONS = [];

/** Whole folders that import a folder they should not, TEMPORARY like the rows above (none today: keep it that way). */
const TEMPORARY_FOLDER_EXCEPTIONS = [];

/** Files allowed to sit on an import cycle, TEMPORARY like the rows above (none today: keep it that way). */
const TEMPORARY_CYCLES = [];

/** Core code must not reach these (the shells and node/ adapters own outside effects). */
const IO_MODULES = ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'http2', 'os', 'process', 'worker_threads',
  'readline', 'dgram', 'tls', 'cluster'];
const CORE_FORBIDDEN_IMPORTS = {
  paths: [
    ...IO_MODULES.flatMap((m) => [m, `node:${m}`]).map((name) => ({ name, message: 'the core does no I/O: take an adapter (src/node/) as a parameter' })),
    ...['serialport', 'onnxruntime-node', 'esptool-js'].map((name) => ({ name, message: 'native modules load lazily inside src/node/ only' })),
  ],
  patterns: [{ group: ['@actions/*'], message: 'only src/action/ talks to GitHub' }],
};
const SHELLS = ['cli', 'action', 'api', 'node'];

const src = (entry) => `./src/${entry}`;
const rowOf = (entry) => LAYERS.findIndex((row) => row.includes(entry));

/** no-restricted-paths zones for one target: every entry on its row or above it, minus `allowed` files. */
function zonesFor(entry, target, allowed = []) {
  const row = rowOf(entry);
  const tolerated = new Set(TEMPORARY_FOLDER_EXCEPTIONS.filter(([from]) => from === entry).map(([, to]) => to));
  return LAYERS.slice(row).flat().filter((other) => other !== entry && !tolerated.has(other)).map((other) => {
    const except = allowed.filter((file) => file.startsWith(`src/${other}/`)).map((file) => `./${file.slice(`src/${other}/`.length)}`);
    return {
      target, from: src(other), ...(except.length > 0 ? { except } : {}),
      message: `${entry} is on layer ${row} and ${other} on layer ${rowOf(other)}: imports go upward only (eslint.config.mjs LAYERS)`,
    };
  });
}

const entryOf = (file) => file.slice('src/'.length).split('/')[0];

function layerRules() {
  const blocks = LAYERS.flat().map((entry) => ({
    files: [entry.endsWith('.ts') ? `src/${entry}` : `src/${entry}/**/*.ts`],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: zonesFor(entry, src(entry)) }] },
  }));
  const byFile = new Map();
  for (const [from, to] of TEMPORARY_EXCEPTIONS) byFile.set(from, [...(byFile.get(from) ?? []), to]);
  for (const [file, allowed] of byFile) {
    blocks.push({ files: [file], rules: { 'import-x/no-restricted-paths': ['error', { zones: zonesFor(entryOf(file), `./${file}`, allowed) }] } });
  }
  return blocks;
}

export default tseslint.config(
  { ignores: ['lib/**', 'dist/**', 'node_modules/**', 'test-results/**', '**/generated/**', 'runner/**', 'qemu/**', 'bench/**', 'examples/**'] },
  ...tseslint.configs.recommended,
  importX.flatConfigs.recommended,
  importX.flatConfigs.typescript,
  {
    // Some files carry directives for ESLint's own rule set (no-control-regex), which is not enabled here.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      // Types are checked by tsc; these overlap with it or with the house style.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-named-as-default-member': 'off',
      'import-x/namespace': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  ...(TEMPORARY_CYCLES.length > 0 ? [{ files: TEMPORARY_CYCLES, rules: { 'import-x/no-cycle': 'off' } }] : []),
  // Scripts import the built library (lib/), which exists only after `npm run build`.
  { files: ['scripts/**'], rules: { 'import-x/no-unresolved': 'off' } },
  ...layerRules(),
  {
    files: ['src/**/*.ts'],
    ignores: SHELLS.map((s) => `src/${s}/**`),
    rules: {
      'no-restricted-imports': ['error', CORE_FORBIDDEN_IMPORTS],
      'no-restricted-globals': ['error', { name: 'process', message: 'the core never reads process: the shell passes what it needs' }],
    },
  },
);
