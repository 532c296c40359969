import { describe, expect, it } from 'vitest';
import type { CostGraph, CostOp } from '../../../src/cost/cost-graph.js';
import { planMemory } from '../../../src/cost/memory-plan.js';

const op = (name: string, opType: string, inputs: string[], outputs: string[]): CostOp => ({
  name, opType, cls: 'elementwise', unknown: false, bits: 8, macs: 0, outElements: 0, inBytes: 0, outBytes: 0, inputs, outputs,
});

/** x(100 B) → Conv → a(200) → Relu (in place) → b(200) → Conv → c(64, graph output). */
const chain: CostGraph = {
  ops: [op('c0', 'Conv', ['x', 'w0'], ['a']), op('r', 'Relu', ['a'], ['b']), op('c1', 'Conv', ['b', 'w1'], ['c'])],
  paramBytes: 0, graphInputs: ['x'], graphOutputs: ['c'], uncosted: [],
  tensorBytes: new Map([['x', 100], ['a', 200], ['b', 200], ['c', 64]]),
};

describe('ESP-DL greedy memory plan (simulated)', () => {
  it('all in PSRAM by default: x [0,112) and a [112,320); b reuses a in place; c takes x\'s freed chunk', () => {
    const plan = planMemory(chain, { maxInternalBytes: 0, hasPsram: true });
    expect(plan.psramBytes).toBe(320);
    expect(plan.internalBytes).toBe(0);
    for (const v of ['x', 'a', 'b', 'c']) expect(plan.location(v)).toBe('psram');
  });

  it('max_internal_size 256: x and c in internal RAM first, a does not fit what is left and goes to PSRAM', () => {
    const plan = planMemory(chain, { maxInternalBytes: 256, hasPsram: true });
    // ESP-DL allocates the whole internal pool.
    expect(plan.internalBytes).toBe(256);
    expect(plan.psramBytes).toBe(208);
    expect(['x', 'a', 'b', 'c'].map((v) => plan.location(v))).toEqual(['internal', 'psram', 'psram', 'internal']);
  });

  it('a later read of the input breaks the in-place link: the in-place output then needs its own buffer', () => {
    // a is read again by the Add after Relu overwrote it in place, so b must not share a's buffer.
    const g: CostGraph = {
      ...chain,
      ops: [op('c0', 'Conv', ['x', 'w0'], ['a']), op('r', 'Relu', ['a'], ['b']), op('add', 'Mul', ['a', 'b'], ['c'])],
      tensorBytes: new Map([['x', 100], ['a', 200], ['b', 200], ['c', 200]]),
    };
    const plan = planMemory(g, { maxInternalBytes: 0, hasPsram: true });
    // x [0,112) a [112,320) at step 0; step 1: x freed, b (208) gets a new chunk [320,528); step 2: c does not fit
    // the 112-byte hole and grows the arena.
    expect(plan.psramBytes).toBe(528 + 208);
  });

  it('without PSRAM everything is in internal RAM', () => {
    const plan = planMemory(chain, { maxInternalBytes: 0, hasPsram: false });
    expect(plan.internalBytes).toBe(320);
    expect(plan.psramBytes).toBe(0);
    expect(plan.location('a')).toBe('internal');
  });
});
