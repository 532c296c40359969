/**
 * Every Action input, parsed once into a typed ActionConfig. Errors name the input and say what is allowed,
 * so a typo in a workflow fails in the first second with a message the user can act on.
 * Input names are the contract with action.yml (a test checks that both list the same names).
 */
import { parseShardSpec, type Shard } from '../autoquant/search.js';
import { SCORE_DIRECTIONS, type ScoreDirection } from '../autoquant/settings.js';
import { InputError } from '../errors.js';
import type { ScoreDrop } from '../app/score-gate.js';
import { parseInputShapes, parseInputValues } from '../app/input-shape.js';
import type { InputShapes, InputValues } from '../onnx/frontend/index.js';
import { TARGETS, type Target } from '../quant/types.js';

/** The input names, as declared in action.yml. */
export const INPUTS = {
  mode: 'mode', model: 'model', calib: 'calib', target: 'target', bits: 'bits', config: 'config',
  runDir: 'run-dir', evaluate: 'evaluate', evaluateCommand: 'evaluate-command', searchMode: 'search-mode',
  numOfCandidates: 'num-of-candidates', timeBudgetMinutes: 'time-budget-minutes', cache: 'cache',
  cacheKeyPrefix: 'cache-key-prefix', artifactName: 'artifact-name', retentionDays: 'retention-days',
  comment: 'comment', githubToken: 'github-token', minScore: 'min-score', maxScoreDrop: 'max-score-drop',
  shard: 'shard', scoreDirection: 'score-direction', failOnRegression: 'fail-on-regression',
  baselineScore: 'baseline-score', reportRunId: 'report-run-id', maxExperiments: 'max-experiments',
  calibSteps: 'calib-steps', batchSize: 'batch-size', inputShape: 'input-shape', inputValue: 'input-value',
  chip: 'chip', ports: 'ports', firmware: 'firmware', runs: 'runs', flash: 'flash', maxLatencyMs: 'max-latency-ms',
  allowForkPrs: 'allow-fork-prs', onnxruntimePath: 'onnxruntime-path',
} as const;

export type Mode = 'search' | 'merge' | 'report' | 'benchmark';
export type CommentPolicy = 'always' | 'on-change' | 'never';
export type { ScoreDirection, Shard };


/** The Action's configuration (all inputs parsed and validated). Paths are as given (workspace-relative). */
export interface ActionConfig {
  mode: Mode;
  model?: string;
  calib?: string;
  target: Target;
  /** Overrides param_space.num_of_bits.value of the settings (unset: the settings decide; ESP-PPQ default 8). */
  bits?: 8 | 16;
  config?: string;
  runDir: string;
  evaluate?: string;
  evaluateCommand?: string;
  searchMode?: 'exhaustive' | 'fast';
  numOfCandidates?: number;
  /** Minutes of searching before the Action stops, saves and reports what it has. */
  timeBudgetMinutes?: number;
  cache: boolean;
  cacheKeyPrefix: string;
  /** Base artifact name; shards append `-shard-<i>-of-<n>`. */
  artifactName: string;
  /** 0 = the repository's default retention. */
  retentionDays: number;
  comment: CommentPolicy;
  githubToken: string;
  minScore?: number;
  maxScoreDrop?: ScoreDrop;
  shard?: Shard;
  /** Overrides the direction the search reports (needed only when no run folder says it). */
  scoreDirection?: ScoreDirection;
  /** false: a failed gate sets regressed=true but does not fail the step. Default true. */
  failOnRegression: boolean;
  /** A fixed baseline instead of the base branch's cached result. */
  baselineScore?: number;
  /** mode report: the workflow run whose artifact to report (default: the triggering workflow_run). */
  reportRunId?: number;
  /** Stop after this many new experiments (the next run resumes). */
  maxExperiments?: number;
  /** Runner options forwarded to the search (calibration batches, batch size, fixed input shape). */
  calibSteps?: number;
  batchSize?: number;
  inputShape?: InputShapes;
  inputValues?: InputValues;
  /** mode benchmark (mirrors `espdl-autoquant bench`): the boards' chip (default: target). */
  chip?: string;
  /** mode benchmark: serial ports (comma/newline separated; empty: every port found). */
  ports?: string[];
  /** mode benchmark: the firmware's ESP-IDF build directory (workspace-relative). */
  firmware?: string;
  /** mode benchmark: the timed runs the firmware was built with (checked, not set). */
  runs?: number;
  /** mode benchmark: false = the boards already carry firmware and model (`--no-flash`). Default true. */
  flash: boolean;
  /** mode benchmark: the Top-1 candidate's median latency limit, ms. */
  maxLatencyMs?: number;
  /** mode benchmark: run for pull requests from forks too (untrusted code on a self-hosted runner). Default false. */
  allowForkPrs: boolean;
  /** A pre-installed onnxruntime-node package folder (workspace-relative or absolute) instead of the download. */
  onnxruntimePath?: string;
}

/** Reads one input ('' when unset), like core.getInput. */
export type InputReader = (name: string) => string;

function oneOf<T extends string>(get: InputReader, name: string, allowed: readonly T[], def: T): T {
  const v = get(name) || def;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new InputError(`Input '${name}' must be one of ${allowed.join(', ')}; got '${v}'`);
  }
  return v as T;
}

function optional(get: InputReader, name: string): string | undefined {
  return get(name) || undefined;
}

function number(get: InputReader, name: string, opts: { int?: boolean; min?: number } = {}): number | undefined {
  const raw = get(name);
  if (!raw) return undefined;
  const v = Number(raw);
  const bad = !Number.isFinite(v) || (opts.int && !Number.isInteger(v)) || (opts.min !== undefined && v < opts.min);
  if (bad) {
    const what = `${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` >= ${opts.min}` : ''}`;
    throw new InputError(`Input '${name}' must be ${what}; got '${raw}'`);
  }
  return v;
}

function bool(get: InputReader, name: string, def: boolean): boolean {
  const raw = get(name);
  if (!raw) return def;
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  throw new InputError(`Input '${name}' must be true or false; got '${raw}'`);
}

/** `max-score-drop`: `0.5` (absolute) or `2%` (of the baseline's magnitude). */
export function parseScoreDrop(raw: string, name: string = INPUTS.maxScoreDrop): ScoreDrop {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[-+]?\d+)?)\s*(%?)\s*$/i.exec(raw);
  if (!m) throw new InputError(`Input '${name}' must be a non-negative number, optionally with %, e.g. 0.5 or 2%; got '${raw}'`);
  return { kind: m[2] ? 'percent' : 'absolute', value: Number(m[1]) };
}

/** `shard`: `i/n` with 0 <= i < n (so `${{ strategy.job-index }}/${{ strategy.job-total }}` works). */
export function parseShard(raw: string, name: string = INPUTS.shard): Shard {
  const shard = parseShardSpec(raw);
  if (!shard) {
    throw new InputError(`Input '${name}' must be 'i/n' with 0 <= i < n (e.g. '1/4' for the second of four shards; ` +
      `\${{ strategy.job-index }}/\${{ strategy.job-total }} in a matrix); got '${raw}'`);
  }
  return shard;
}

/** mode benchmark's inputs (they mirror `espdl-autoquant bench` flags); unset ones are undefined. */
function benchmarkInputs(get: InputReader, mode: Mode): Pick<ActionConfig, 'chip' | 'ports' | 'firmware' | 'runs' | 'maxLatencyMs'> {
  const ports = get(INPUTS.ports).split(/[\s,]+/).filter(Boolean);
  const maxLatencyMs = number(get, INPUTS.maxLatencyMs, { min: 0 });
  if (maxLatencyMs === 0) throw new InputError(`Input '${INPUTS.maxLatencyMs}' must be a positive number of milliseconds; got '0'`);
  const firmware = optional(get, INPUTS.firmware);
  if (mode === 'benchmark' && !firmware) {
    throw new InputError(`Input '${INPUTS.firmware}' is required when mode is benchmark (the ESP-IDF build directory of runner/firmware, with flasher_args.json)`);
  }
  return {
    chip: optional(get, INPUTS.chip), ports: ports.length > 0 ? ports : undefined, firmware,
    runs: number(get, INPUTS.runs, { int: true, min: 1 }), maxLatencyMs,
  } as Pick<ActionConfig, 'chip' | 'ports' | 'firmware' | 'runs' | 'maxLatencyMs'>;
}

/** Parses and validates every input. Throws InputError naming the first bad input. */
export function parseInputs(get: InputReader): ActionConfig {
  const mode = oneOf<Mode>(get, INPUTS.mode, ['search', 'merge', 'report', 'benchmark'], 'search');
  const model = optional(get, INPUTS.model);
  if (mode === 'search' && !model) throw new InputError(`Input '${INPUTS.model}' is required when mode is search (path to the .onnx file)`);
  const evaluate = optional(get, INPUTS.evaluate);
  const evaluateCommand = optional(get, INPUTS.evaluateCommand);
  if (evaluate && evaluateCommand) {
    throw new InputError(`Inputs '${INPUTS.evaluate}' and '${INPUTS.evaluateCommand}' exclude each other: give one evaluator`);
  }
  const bits = number(get, INPUTS.bits, { int: true });
  if (bits !== undefined && bits !== 8 && bits !== 16) throw new InputError(`Input '${INPUTS.bits}' must be 8 or 16; got '${get(INPUTS.bits)}'`);
  const drop = optional(get, INPUTS.maxScoreDrop);
  const shard = optional(get, INPUTS.shard);
  const searchMode = optional(get, INPUTS.searchMode) && oneOf(get, INPUTS.searchMode, ['exhaustive', 'fast'], 'exhaustive');
  const direction = optional(get, INPUTS.scoreDirection) && oneOf<ScoreDirection>(get, INPUTS.scoreDirection, SCORE_DIRECTIONS, 'minimize');
  const inputShape = optional(get, INPUTS.inputShape);
  const inputValue = optional(get, INPUTS.inputValue);
  const cfg: ActionConfig = {
    mode,
    target: oneOf<Target>(get, INPUTS.target, TARGETS, 'esp32p4'),
    runDir: get(INPUTS.runDir) || 'espdl-autoquant-run',
    cache: bool(get, INPUTS.cache, true),
    cacheKeyPrefix: get(INPUTS.cacheKeyPrefix) || 'espdl-autoquant',
    artifactName: get(INPUTS.artifactName) || 'espdl-autoquant',
    retentionDays: number(get, INPUTS.retentionDays, { int: true, min: 0 }) ?? 0,
    comment: oneOf<CommentPolicy>(get, INPUTS.comment, ['always', 'on-change', 'never'], 'on-change'),
    githubToken: get(INPUTS.githubToken),
    failOnRegression: bool(get, INPUTS.failOnRegression, true),
    flash: bool(get, INPUTS.flash, true),
    allowForkPrs: bool(get, INPUTS.allowForkPrs, false),
  };

  const extras = {
    model, evaluate, evaluateCommand, bits, searchMode: searchMode || undefined, scoreDirection: direction || undefined,
    calib: optional(get, INPUTS.calib), config: optional(get, INPUTS.config), onnxruntimePath: optional(get, INPUTS.onnxruntimePath),
    numOfCandidates: number(get, INPUTS.numOfCandidates, { int: true, min: 1 }),
    timeBudgetMinutes: number(get, INPUTS.timeBudgetMinutes, { min: 0 }),
    minScore: number(get, INPUTS.minScore), baselineScore: number(get, INPUTS.baselineScore),
    maxScoreDrop: drop === undefined ? undefined : parseScoreDrop(drop),
    shard: shard === undefined ? undefined : parseShard(shard),
    reportRunId: number(get, INPUTS.reportRunId, { int: true, min: 1 }),
    maxExperiments: number(get, INPUTS.maxExperiments, { int: true, min: 1 }),
    calibSteps: number(get, INPUTS.calibSteps, { int: true, min: 1 }),
    batchSize: number(get, INPUTS.batchSize, { int: true, min: 1 }),
    inputShape: inputShape === undefined ? undefined : parseInputShapes([inputShape], `Input '${INPUTS.inputShape}'`),
    inputValues: inputValue === undefined ? undefined : parseInputValues([inputValue], `Input '${INPUTS.inputValue}'`),
    ...benchmarkInputs(get, mode),
  };
  for (const [k, v] of Object.entries(extras)) if (v !== undefined) (cfg as unknown as Record<string, unknown>)[k] = v;
  return cfg;
}
