/**
 * The Action's search = the CLI's `search` command (src/cli/commands/search.ts runSearchCommand) with the
 * Action's inputs mapped to its options, so settings, evaluators, progress and the run folder behave exactly
 * as on a laptop. The command reports its result as JSON on stdout (`--json`), which is captured here.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { parsePyJson } from '../autoquant/py-json.js';
import { isPyDict, num } from '../autoquant/py-value.js';
import { runSearchCommand, searchSettings, type RunnerFactory, type SearchCliOptions } from '../cli/commands/search.js';
import type { CliContext } from '../cli/command.js';
import { InputError, InternalError } from '../errors.js';
import type { ActionConfig } from './inputs.js';
import type { SearchFn, SearchOutcome, SearchRequest } from './search-seam.js';

/** Action config → the CLI's search options (resume decided by the Action, output as JSON). */
export function searchOptions(cfg: ActionConfig, req: Pick<SearchRequest, 'resume' | 'shard'>): SearchCliOptions {
  // The run folder as the user wrote it (relative to the workspace = the command's cwd): records' `folder`
  // fields then read like ESP-PPQ's os.path.join(run_dir, NNNN), on every runner.
  const o: SearchCliOptions = { resume: req.resume, dryRun: false, json: true, runDir: cfg.runDir, target: cfg.target };
  const copy = {
    model: cfg.model, calib: cfg.calib, config: cfg.config, searchMode: cfg.searchMode, numOfCandidates: cfg.numOfCandidates,
    scoreDirection: cfg.scoreDirection, maxExperiments: cfg.maxExperiments, timeBudgetMinutes: cfg.timeBudgetMinutes,
    evaluate: cfg.evaluate, evaluateCommand: cfg.evaluateCommand, shard: req.shard, calibSteps: cfg.calibSteps,
    batchSize: cfg.batchSize, inputShape: cfg.inputShape,
  };
  for (const [k, v] of Object.entries(copy)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  return o;
}

/** Where the settings with the `bits` input applied are written (workspace-relative, next to the baseline). */
export const DERIVED_SETTINGS = '.espdl-autoquant/settings.yml';

/**
 * The CLI has no bits flag: `bits` becomes `param_space.num_of_bits.value: [bits]` in a copy of the settings
 * file (comments and number kinds kept by the yaml document API). Returns the copy's path, or undefined.
 */
export async function settingsWithBits(cfg: ActionConfig, workspace: string): Promise<string | undefined> {
  if (cfg.bits === undefined) return undefined;
  let text = '';
  if (cfg.config !== undefined) {
    try {
      text = await readFile(path.resolve(workspace, cfg.config), 'utf8');
    } catch (err) {
      throw new InputError(`Input 'config': cannot read '${cfg.config}' (${(err as Error).message})`, { cause: err });
    }
  }
  const doc = parseDocument(text.trim() ? text : '{}');
  if (doc.errors.length > 0) throw new InputError(`Input 'config' (${cfg.config}): ${doc.errors[0]!.message}`);
  doc.setIn(['param_space', 'num_of_bits', 'value'], doc.createNode([cfg.bits], { flow: true }));
  const out = path.join(workspace, DERIVED_SETTINGS);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `# ${cfg.config ?? 'default settings'} with the Action's bits: ${cfg.bits}\n${doc.toString()}`);
  return DERIVED_SETTINGS;
}

function readResult(stdout: string): { newExperiments: number; stopped: SearchOutcome['stopped']; direction?: string } {
  const v = parsePyJson(stdout.trim(), 'search --json output');
  if (!isPyDict(v)) throw new InternalError('search --json did not print a JSON object');
  const stopped = v.stopped;
  return {
    newExperiments: num(v.newExperiments),
    stopped: stopped === 'max-experiments' || stopped === 'time-budget' || stopped === 'aborted' ? stopped : null,
    ...(typeof v.direction === 'string' ? { direction: v.direction } : {}),
  };
}

/**
 * A SearchFn running the CLI search with `makeRunner` as the quantization engine (the same factory the CLI
 * entry wires into createSearchCommand).
 */
export function cliSearch(makeRunner: RunnerFactory): SearchFn {
  return async (req) => {
    const opts = searchOptions(req.config, req);
    let stdout = '';
    const ctx: CliContext = {
      stdout: (t) => { stdout += t; },
      stderr: (t) => { for (const line of t.split('\n')) if (line.trim()) req.logger.info(line); },
      logger: req.logger, cwd: req.workspace, env: process.env, isTTY: false, signal: req.signal,
    };
    const config = await settingsWithBits(req.config, req.workspace);
    if (config !== undefined) opts.config = config;
    const settings = await searchSettings(opts, req.workspace);
    await runSearchCommand(opts, ctx, makeRunner);
    const res = readResult(stdout);
    const direction = res.direction === 'maximize' || res.direction === 'minimize' ? res.direction
      : req.config.evaluate || req.config.evaluateCommand ? settings.score_direction : 'minimize';
    return {
      experimentsRun: res.newExperiments, stopped: res.stopped, direction,
      numOfCandidates: settings.num_of_candidates, balanced: settings.candidate_filter !== null,
    };
  };
}
