/**
 * The Node helper thread of the training passes, on a real worker. The worker runs the BUILT module
 * (lib/node/training-worker.js): run `npm run build` first if lib/ is missing (npm ci builds it).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trainingHelper } from '../../../src/node/training-threads.js';
import { runAdaround } from '../../../src/quant/training/adaround.js';
import type { BlockBatch } from '../../../src/quant/training/block.js';
import { runShard } from '../../../src/quant/training/shards.js';
import { runTqt } from '../../../src/quant/training/tqt.js';
import { tinyBlock } from '../quant/training/tiny-block.js';

const built = new URL('../../../lib/node/training-worker.js', import.meta.url);

describe('trainingHelper', () => {
  it('is undefined when the worker script is not there (the passes then run both shards themselves)', () => {
    expect(trainingHelper(new URL('./no-such-worker.js', import.meta.url))).toBeUndefined();
  });

  it('TQT and AdaRound on a worker thread give the same bits as on the calling thread', () => {
    expect(existsSync(fileURLToPath(built)), 'lib/ is missing: run `npm run build`').toBe(true);
    const helper = trainingHelper(built)!;
    const split = { splitMinElements: 0 }; // every step, however small, is split and its second shard sent
    const setup = tinyBlock(41, { wBits: 4, batch: 4 });
    const tqtOpts = { lr: 1e-5, steps: 5, isScaleTrainable: true, gamma: 0, intLambda: 0 };
    // The worker itself answers (a helper that gave up would also give the same bits, through the fallback).
    const own = (b: BlockBatch): BlockBatch => structuredClone(b); // the helper takes the job's arrays over
    const job = { block: setup.block, batch: setup.batches[0]!, weight: 0.5, state: { kind: 'tqt' as const, params: [['w1', setup.block.params.get('w1')!.data as Float32Array] as const], alphas: [] } };
    const remote = helper.start({ ...job, batch: own(job.batch) }).wait();
    const local = runShard(job);
    expect(remote && { loss: remote.loss, grads: remote.grads }).toEqual(local);
    expect(remote?.batch).toEqual(job.batch); // handed back for the next step's copy
    const alone = runTqt(setup.block, setup.batches, tqtOpts, undefined, split);
    expect(alone.status).not.toBe('ineligible');
    expect(runTqt(setup.block, setup.batches, tqtOpts, undefined, { ...split, helper })).toEqual(alone);
    const adaOpts = { lr: 1e-2, steps: 5, gamma: 1, isScaleTrainable: false };
    expect(runAdaround(setup.block, setup.batches, adaOpts, undefined, { ...split, helper })).toEqual(runAdaround(setup.block, setup.batches, adaOpts, undefined, split));
  });

  it('an answer to a job nobody waited for (a pass that threw meanwhile) is not taken for the next one', () => {
    const helper = trainingHelper(built)!;
    const setup = tinyBlock(43, { wBits: 4, batch: 4 });
    const state = { kind: 'tqt' as const, params: [['w2', setup.block.params.get('w2')!.data as Float32Array] as const], alphas: [] };
    const job = (weight: number) => ({ block: setup.block, batch: structuredClone(setup.batches[1]!), weight, state });
    helper.start(job(0.25)); // never waited for
    const answer = helper.start(job(0.75)).wait();
    const own = runShard(job(0.75));
    expect(answer && { loss: answer.loss, grads: answer.grads }).toEqual({ loss: own.loss, grads: own.grads });
  });

  it('a worker that cannot start is given up and the pass still gives the same bits', () => {
    const broken = trainingHelper(new URL('../../fixtures/README.md', import.meta.url))!; // exists, is no module
    const setup = tinyBlock(42, { wBits: 4, batch: 2 });
    const o = { lr: 1e-5, steps: 2, isScaleTrainable: true, gamma: 0, intLambda: 0 };
    const split = { splitMinElements: 0 };
    expect(runTqt(setup.block, setup.batches, o, undefined, { ...split, helper: broken })).toEqual(runTqt(setup.block, setup.batches, o, undefined, split));
  });
});
