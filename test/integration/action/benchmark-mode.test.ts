/**
 * mode benchmark end to end: a PR's search job uploads the Top-K artifact to the fake GitHub services, then
 * the benchmark job of the same workflow run downloads it and runs the real `espdl-autoquant bench` code
 * (serial link, port lock, protocol parser) against a board emulator behind a socat PTY (`flash: false`: the
 * "board" already holds firmware and model). Asserted: bench.json artifact, the on-device section in the SAME
 * PR comment, the latency gate both ways, and the refusal of fork PRs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, type Harness, type SimulatedRun } from './harness.js';
import { fakeModel } from './fake-runner.js';
import { BOT } from '../../fakes/github-services.js';
import { DeviceEmulator, startPtyPair, type PtyPair } from '../../fakes/device-emulator.js';
import { generatePartitionTable, partitionTableFromCsv } from '../../helpers/partition-table.js';
import { benchReport } from '../../../src/board/bench-report.js';
import { REPO_ROOT } from '../../helpers/paths.js';

let h: Harness;
let pair: PtyPair;
let emu: DeviceEmulator;
const PR = 7;
const RUN = 300;
const search: Record<string, string> = {
  model: 'model.onnx', calib: 'calib.npy', config: 'autoquant.yml', target: 'esp32p4', 'github-token': 'tok', comment: 'always',
};
const bench = (over: Record<string, string>): Record<string, string> => ({
  mode: 'benchmark', target: 'esp32p4', 'github-token': 'tok', firmware: 'fw', ports: pair.host, flash: 'false', ...over,
});
const prRun = (inputs: Record<string, string>, extra: Partial<SimulatedRun> = {}): SimulatedRun => ({ runId: RUN, event: 'pull_request', pr: PR, inputs, ...extra });
const bots = () => h.fake.api.commentsOn(`o/r#${PR}`).filter((c) => c.user.type === BOT.type);
const md5 = (d: Uint8Array): Uint8Array => new Uint8Array(createHash('md5').update(d).digest());

/** A firmware build directory as ESP-IDF lays it out (the files bench reads; the images are never flashed here). */
function writeFirmwareBuild(dir: string): void {
  mkdirSync(path.join(dir, 'partition_table'), { recursive: true });
  mkdirSync(path.join(dir, 'bootloader'), { recursive: true });
  const csv = readFileSync(path.join(REPO_ROOT, 'runner/firmware/partitions.csv'), 'utf8');
  writeFileSync(path.join(dir, 'partition_table/partition-table.bin'), generatePartitionTable(partitionTableFromCsv(csv), md5));
  writeFileSync(path.join(dir, 'bootloader/bootloader.bin'), new Uint8Array([0xe9, 1, 2]));
  writeFileSync(path.join(dir, 'espdl_bench.bin'), new Uint8Array([0xe9, 3, 4]));
  writeFileSync(path.join(dir, 'espdl_bench.elf'), 'ELF');
  writeFileSync(path.join(dir, 'flasher_args.json'), JSON.stringify({
    flash_settings: { flash_mode: 'qio', flash_size: '16MB', flash_freq: '80m' },
    flash_files: { '0x2000': 'bootloader/bootloader.bin', '0x8000': 'partition_table/partition-table.bin', '0x10000': 'espdl_bench.bin' },
    'partition-table': { offset: '0x8000', file: 'partition_table/partition-table.bin' },
    extra_esptool_args: { chip: 'esp32p4', before: 'default_reset', after: 'hard_reset', stub: true },
  }));
}

let topK: number[] = [];

beforeAll(async () => {
  h = await startHarness();
  writeFileSync(path.join(h.ws, 'model.onnx'), fakeModel(1));
  writeFileSync(path.join(h.ws, 'calib.npy'), 'unused by the fake quantizer');
  // Top-2 of a 4-experiment space keeps the bench short (each candidate is one emulated boot).
  writeFileSync(path.join(h.ws, 'autoquant.yml'), 'num_of_candidates: 2\nstrategy_space:\n  mixed_precision: [false]\n  weight_equalization: [false]\n');
  writeFirmwareBuild(path.join(h.ws, 'fw'));
  pair = await startPtyPair();
  emu = await DeviceEmulator.open(pair.device, { chip: 'esp32p4', elfSha256: createHash('sha256').update('ELF').digest('hex') });
  // Timed runs 2.0 / 2.5 / 3.0 ms: median 2.5 ms, p90 2.9 ms (linear interpolation); 200 KiB internal, 1 MiB PSRAM.
  emu.model = { name: 'm', behaviour: 'ok', runsUs: [2000, 2500, 3000], bytes: 10, memory: { internal: 204_800, psram: 1_048_576 } };
  const r = await h.run(prRun(search));
  expect(r.failed).toEqual([]);
  topK = (JSON.parse(r.outputs['candidates']!) as { index: number }[]).map((c) => c.index);
  expect(topK).toHaveLength(2);
  expect(bots()).toHaveLength(1);
  expect(bots()[0]!.body).not.toContain('On-device benchmark');
});
afterAll(async () => {
  await emu?.close();
  await pair?.stop();
  await h?.close();
});

const name = (i: number): string => String(i).padStart(4, '0');

describe('mode benchmark', () => {
  it('fails the latency gate above max-latency-ms, naming the candidate, its median and the limit', async () => {
    const commentId = bots()[0]!.id;
    const r = await h.run(prRun(bench({ 'max-latency-ms': '2' })));
    expect(r.failed).toEqual([`Quality gate failed: candidate ${name(topK[0]!)} median latency 2.5 ms is above max-latency-ms 2 ms`]);
    expect(r.outputs['regressed']).toBe('true');
    expect(r.outputs['latency-ms']).toBe('2.5');
    // The search's comment is updated in place, now with the on-device section.
    expect(bots()).toHaveLength(1);
    const body = bots()[0]!.body;
    expect(bots()[0]!.id).toBe(commentId);
    expect(body).toContain('<!-- espdl-autoquant report: CI | model.onnx | esp32p4 -->');
    expect(body).toContain('### On-device benchmark · esp32p4 (1 of 1 board(s); median of 3 timed run(s) after 1 warm-up)');
    expect(body).toContain('| 1 | `' + name(topK[0]!) + '` |');
    expect(body).toMatch(new RegExp(`\\| 2 \\| \`${name(topK[1]!)}\` \\| [^|]+ \\| ✅ pass \\| 2\\.50 \\| 2\\.00 \\| 2\\.90 \\| 200\\.0 KB \\| 1\\.00 MB \\| ok \\|`));
    expect(body).toContain(`- candidate ${name(topK[0]!)} median latency 2.5 ms is above max-latency-ms 2 ms`);
    expect(r.summary).toContain('### On-device benchmark');
    // The Top-K table shows what the board measured beside the estimate; so does the report the output names.
    const head = body.split('\n').find((l) => l.startsWith('| # | exp | score |'))!;
    expect(head).toContain('| latency (est.) | RAM (est.) | on device | model size |');
    const onDevice = '2.5 ms · 1.20 MB · test passed'; // median 2500 µs; 200 KB internal + 1 MB PSRAM
    for (const i of topK) expect(body).toMatch(new RegExp(`^\\| \\d \\| ${name(i)} \\|.*\\| ${onDevice} \\|`, 'm'));
    expect(readFileSync(r.outputs['report-path']!, 'utf8')).toContain(`<td>${onDevice}</td>`);
    // bench.json is uploaded as its own artifact of this run.
    const art = h.fake.artifacts.artifacts.find((a) => a.name === 'espdl-autoquant-bench-esp32p4' && String(a.id) === r.outputs['bench-artifact-id']);
    expect(art).toBeDefined();
  });

  it('passes at or below the limit and updates the same comment (a re-run of the job)', async () => {
    const r = await h.run(prRun(bench({ 'max-latency-ms': '2.5' }), { runAttempt: 2 }));
    expect(r.failed).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.outputs['regressed']).toBe('false');
    expect(r.outputs['latency-ms']).toBe('2.5');
    // Artifact names are unique per workflow run: the re-run's bench.json gets its own.
    expect(h.fake.artifacts.artifacts.find((a) => String(a.id) === r.outputs['bench-artifact-id'])?.name).toBe('espdl-autoquant-bench-esp32p4-attempt-2');
    expect(bots()).toHaveLength(1);
    expect(bots()[0]!.body).toContain('✅ **Quality gate passed**');
    expect(bots()[0]!.body).toContain('Latency limit (max-latency-ms): 2.5 ms for the Top-1 candidate.');
  });

  it('refuses a fork PR without allow-fork-prs, before touching the board', async () => {
    const boots = emu.boots;
    const r = await h.run(prRun(bench({ 'max-latency-ms': '3' }), { headRepo: 'mallory/r' }));
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]).toMatch(/^mode benchmark refuses to run for a pull request from a fork: .* is not proven to come from this repository, and a self-hosted runner with boards attached must not run untrusted code/);
    expect(r.failed[0]).toContain("'allow-fork-prs: true'");
    expect(emu.boots).toBe(boots);
    const ok = await h.run(prRun(bench({ 'max-latency-ms': '3', 'allow-fork-prs': 'true' }), { headRepo: 'mallory/r', runAttempt: 3 }));
    expect(ok.failed).toEqual([]);
    expect(emu.boots).toBeGreaterThan(boots);
  });
});

describe('mode benchmark in a workflow_run workflow (the example benchmark.yml)', () => {
  const wr = (runId: number, headRepo: string): SimulatedRun => ({
    runId, event: 'workflow_run', workflow: 'Benchmark on boards', headRepo,
    // GitHub links same-repository PRs to the run; the name is the search workflow's (the harness default 'CI').
    workflowRun: { id: RUN, name: 'CI', prs: headRepo === 'o/r' ? [PR] : [] }, inputs: bench({ 'max-latency-ms': '3' }),
  });

  it('benchmarks the triggering run\'s artifact and comments on its PR', async () => {
    const r = await h.run(wr(301, 'o/r'));
    expect(r.failed).toEqual([]);
    // The marker comes from the search's report data, so it is still the search's comment.
    expect(bots()).toHaveLength(1);
    expect(bots()[0]!.body).toContain('Latency limit (max-latency-ms): 3 ms for the Top-1 candidate.');
    expect(h.fake.artifacts.artifacts.find((a) => String(a.id) === r.outputs['bench-artifact-id'])?.name).toBe('espdl-autoquant-bench-esp32p4');
  });

  it('refuses a workflow_run of a fork\'s PR', async () => {
    const r = await h.run(wr(302, 'mallory/r'));
    expect(r.failed[0]).toMatch(/^mode benchmark refuses to run for a pull request from a fork/);
  });
});

describe('bench.json artifact', () => {
  it('holds every Top-K candidate with the measured statistics', async () => {
    h.asRun(RUN);
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const client = new DefaultArtifactClient();
    const { artifact } = await client.getArtifact('espdl-autoquant-bench-esp32p4');
    const dir = path.join(h.ws, '..', `${path.basename(h.ws)}-bench-dl`);
    await client.downloadArtifact(artifact.id, { path: dir });
    const report = benchReport.parse(JSON.parse(readFileSync(path.join(dir, 'bench.json'), 'utf8')));
    expect(report.candidates.map((c) => c.name).sort()).toEqual(topK.map(name).sort());
    for (const c of report.candidates) {
      expect(c).toMatchObject({ status: 'ok', test: 'pass', latency_us: { median: 2500, min: 2000, p90: 2900 }, memory_bytes: { internal: 204_800, psram: 1_048_576 } });
    }
  });
});
