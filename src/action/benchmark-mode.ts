/**
 * mode: benchmark — on a self-hosted runner with boards: download the search's Top-K artifact (of this
 * workflow run, or of the triggering / given run), benchmark every candidate with the bench use case
 * (src/app/bench.ts, as `espdl-autoquant bench`), upload bench.json, and report the search again with an
 * on-device section (same PR comment, updated in place) and the latency gate (`max-latency-ms` on the Top-1
 * candidate's median).
 * Code and models not proven to come from this repository are refused before a board is touched, unless
 * `allow-fork-prs: true` (trust.ts: it looks at the run the artifact came from, not at the event): a
 * self-hosted runner that flashes a fork's models or runs its workflow runs untrusted code next to the boards.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DEFAULTS, type BenchRequest, type BenchResult } from '../app/bench.js';
import { num } from '../autoquant/py-value.js';
import { folderName } from '../autoquant/run-folder.js';
import { InputError } from '../errors.js';
import { benchResultLines, renderBenchSection, type RankedCandidate } from '../report/bench.js';
import { renderHtml } from '../report/html.js';
import type { ActionDeps } from './deps.js';
import { INPUTS, type ActionConfig } from './inputs.js';
import { OUTPUTS } from './outputs.js';
import { announceResults, type ActionOutcome } from './announce.js';
import { loadArtifactRun, readArtifactRun } from './report-mode.js';
import { HTML_REPORT_FILE } from '../app/report.js';
import type { RunContext } from './run-context.js';
import type { ArtifactSource } from './seams.js';
import { originOf, originOfThisRun, refuseUntrustedBoardRun } from './trust.js';

export const BENCH_FILE = 'bench.json';

/**
 * Name of the bench.json artifact: `<artifact-name>-bench-<chip>` (one per chip in a matrix); a re-run of the
 * job (flaky board) appends `-attempt-<n>`, as artifact names must be unique within a workflow run.
 */
export function benchArtifactName(cfg: ActionConfig, chip: string, runAttempt: string): string {
  const base = `${cfg.artifactName}-bench-${chip}`;
  return runAttempt === '1' || runAttempt === '' ? base : `${base}-attempt-${runAttempt}`;
}

/** The run whose artifact holds the Top-K: report-run-id, else the triggering workflow_run, else this run. */
function artifactSource(cfg: ActionConfig, ctx: RunContext): ArtifactSource | undefined {
  const runId = cfg.reportRunId ?? ctx.triggeringRunId;
  return runId === undefined ? undefined : { runId, owner: ctx.owner, repo: ctx.repo, token: cfg.githubToken };
}

/** The inputs as a bench request: the downloaded Top-K folder on the boards of `chip`, bench.json to `out`. */
export function benchRequest(cfg: ActionConfig, deps: ActionDeps, chip: string, candidatesDir: string, out: string): BenchRequest {
  return {
    ...BENCH_DEFAULTS, chip, firmware: cfg.firmware ?? '.', candidates: [candidatesDir], ports: cfg.ports ?? [],
    flash: cfg.flash ? 'auto' : 'none', ...(cfg.runs !== undefined ? { runs: cfg.runs } : {}),
    ...(cfg.maxLatencyMs !== undefined ? { maxLatencyMs: cfg.maxLatencyMs } : {}),
    out, cwd: deps.workspace, logger: deps.log, signal: deps.signal,
  };
}

async function runBench(cfg: ActionConfig, deps: ActionDeps, chip: string, candidatesDir: string): Promise<BenchResult> {
  const out = path.join(mkdtempSync(path.join(deps.tempDir, 'espdl-autoquant-bench-')), BENCH_FILE);
  return deps.log.group(`Benchmark on ${chip} boards`, async () => {
    const res = await deps.bench(benchRequest(cfg, deps, chip, candidatesDir, out));
    for (const line of benchResultLines(res.report)) deps.log.info(line);
    deps.log.info(out);
    return res;
  });
}

export async function benchmarkMode(cfg: ActionConfig, ctx: RunContext, deps: ActionDeps): Promise<ActionOutcome> {
  const from = artifactSource(cfg, ctx);
  const origin = from ? await originOf(from.runId, ctx, deps.repoApi(cfg.githubToken, ctx.owner, ctx.repo)) : originOfThisRun(ctx);
  refuseUntrustedBoardRun(origin, cfg);
  const ref = (await deps.artifacts.list(from)).find((a) => a.name === cfg.artifactName);
  const where = from ? `run ${from.runId}` : 'this workflow run';
  if (!ref) throw new InputError(`mode benchmark: ${where} has no artifact named '${cfg.artifactName}' (input '${INPUTS.artifactName}'; the search job must finish first: 'needs:')`);
  const art = await loadArtifactRun(deps, ref, from, 'espdl-autoquant-topk-');
  const chip = cfg.chip ?? cfg.target;
  if (art.run.candidates.length === 0) throw new InputError(`mode benchmark: artifact '${ref.name}' of ${where} holds no Top-K candidate`);
  const { report: bench, outFile, gate: latency } = await runBench(cfg, deps, chip, art.dir);
  // bench recorded its measurements in the artifact's records: the tables and report.html show them.
  const { run, view } = await readArtifactRun(art.dir, art.facts);
  writeFileSync(path.join(art.dir, HTML_REPORT_FILE), renderHtml(view));
  const name = benchArtifactName(cfg, chip, ctx.runAttempt);
  const uploaded = await deps.artifacts.upload(name, [outFile!], path.dirname(outFile!), cfg.retentionDays);
  deps.outputs.set(OUTPUTS.benchArtifactId, uploaded ? String(uploaded.id) : '');
  const ranked: RankedCandidate[] = art.run.candidates.map((c) => ({ name: folderName(num(c.index)), score: num(c.score) }));
  deps.outputs.set(OUTPUTS.latencyMs, latency.medianMs === undefined ? '' : String(latency.medianMs));
  return announceResults({
    cfg, ctx, deps, run, view, facts: art.facts, origin,
    artifact: ref, artifactRunId: from ? String(from.runId) : ctx.runId, reportPath: path.join(art.dir, HTML_REPORT_FILE), saveBaseline: false,
    bench: { markdown: renderBenchSection(bench, ranked, cfg.maxLatencyMs), latency },
  });
}
