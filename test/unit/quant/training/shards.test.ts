import { describe, expect, it } from 'vitest';
import { runAdaround } from '../../../../src/quant/training/adaround.js';
import { runShard, shardable, ShardedDataTerm, type ShardHelper, type ShardState } from '../../../../src/quant/training/shards.js';
import { runTqt } from '../../../../src/quant/training/tqt.js';
import { tinyBlock } from './tiny-block.js';

const TQT = { lr: 1e-5, steps: 6, isScaleTrainable: true, gamma: 0.5, intLambda: 0.1 };
const ADA = { lr: 1e-2, steps: 6, gamma: 1, isScaleTrainable: true };

/** A helper that runs the job on this thread after a structured clone, as crossing to a worker does. */
const clonedHelper: ShardHelper = { start: (job) => ({ wait: () => runShard(structuredClone(job)) }) };
/** A helper that always fails (the caller must compute the shard itself). */
const failingHelper: ShardHelper = { start: () => ({ wait: () => undefined }) };

function tqtState(setup: ReturnType<typeof tinyBlock>): ShardState {
  const c = setup.configs;
  return {
    kind: 'tqt',
    params: ['w1', 'b1', 'w2', 'b2'].map((n) => [n, setup.block.params.get(n)!.data as Float32Array]),
    alphas: [c[0]!, c[1]!, c[3]!, c[4]!, c[5]!, c[7]!].map((cfg) => [cfg, Float32Array.of(cfg.exponent as number)]),
  };
}

describe('the data term in sample shards', () => {
  it('two shards give the one-shard loss and gradients within float noise', () => {
    const setup = tinyBlock(31, { batch: 5 });
    const state = tqtState(setup);
    const whole = runShard({ block: setup.block, batch: setup.batches[0]!, weight: 1, state });
    const split = new ShardedDataTerm(setup.block, undefined, 0).run(setup.batches[0]!, state);
    expect(split.loss).toBeCloseTo(whole.loss, 12);
    expect(Math.abs(split.loss - whole.loss) / whole.loss).toBeLessThan(1e-6);
    whole.grads.forEach((g, k) => {
      const s = split.grads[k]!;
      const scaleOf = Math.max(...Array.from(g!, Math.abs));
      for (let i = 0; i < g!.length; i++) expect(Math.abs(s[i]! - g![i]!)).toBeLessThanOrEqual(1e-5 * scaleOf);
    });
  });

  it('a block whose ops could mix samples is not split', () => {
    const { block } = tinyBlock(32);
    expect(shardable(block)).toBe(true);
    const reshape = { ...block.ops[1]!, node: { ...block.ops[1]!.node, opType: 'Reshape' } };
    expect(shardable({ ...block, ops: [block.ops[0]!, reshape, block.ops[2]!] })).toBe(false);
    const concat0 = { ...block.ops[1]!, node: { ...block.ops[1]!.node, opType: 'Concat', attributes: new Map([['axis', { type: 'int' as const, value: 0 }]]) } };
    expect(shardable({ ...block, ops: [block.ops[0]!, concat0, block.ops[2]!] })).toBe(false);
  });

  it('TQT and AdaRound give the same bits with a helper (after a structured clone), a failing one, or none', () => {
    const setup = tinyBlock(33, { wBits: 4, batch: 4 });
    const split = { splitMinElements: 0 }; // the tiny block is split too
    const tqt = [undefined, clonedHelper, failingHelper].map((helper) => runTqt(setup.block, setup.batches, TQT, undefined, { ...split, ...(helper ? { helper } : {}) }));
    expect(tqt[0]!.status).toBe('updated');
    expect(tqt[1]).toEqual(tqt[0]);
    expect(tqt[2]).toEqual(tqt[0]);
    const ada = [undefined, clonedHelper, failingHelper].map((helper) => runAdaround(setup.block, setup.batches, ADA, undefined, { ...split, ...(helper ? { helper } : {}) }));
    expect(ada[0]!.status).not.toBe('ineligible');
    expect(ada[1]).toEqual(ada[0]);
    expect(ada[2]).toEqual(ada[0]);
  });
});
