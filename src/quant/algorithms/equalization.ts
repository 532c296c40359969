/**
 * The arithmetic of layer-wise weight equalization (Nagel et al. 2019) on float32 typed arrays, ported from
 * ESP-PPQ esp_ppq/quantization/algorithm/equalization.py (EqualizationHelper, EqualizationPair). Graph search
 * lives in quant/passes/equalization.ts; this file only knows weight layouts and numbers.
 *
 * All arithmetic is rounded to float32 after every step (Math.fround), as torch does on float32 tensors, so
 * scales and scaled weights are bit-identical to ESP-PPQ's for the same inputs.
 */

/**
 * How one weight tensor maps onto the channels that equalization scales.
 * `channelOf[i]` is the channel element i is multiplied/divided by (the channel index ESP-PPQ's
 * scale_to_upstream/scale_to_downstream use). `keyRowOf[c]` is the row of ESP-PPQ's key-value matrix that
 * channel c's maximum lands in (key_value_from_upstream/downstream). The two differ only for grouped
 * layouts (see convInputMap), which is an ESP-PPQ quirk kept on purpose.
 */
export interface ChannelMap {
  readonly channels: number;
  readonly channelOf: Int32Array;
  readonly keyRowOf: Int32Array;
}

const F = Math.fround;

function build(numel: number, channels: number, channelAt: (i: number) => number, keyRow: (c: number) => number): ChannelMap {
  const channelOf = new Int32Array(numel);
  for (let i = 0; i < numel; i++) channelOf[i] = channelAt(i);
  const keyRowOf = new Int32Array(channels);
  for (let c = 0; c < channels; c++) keyRowOf[c] = keyRow(c);
  return { channels, channelOf, keyRowOf };
}

const prod = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function assertRank(dims: readonly number[], what: string): void {
  // ESP-PPQ raises 'Unexpected dimension of weight' for anything but 1-D..3-D kernels.
  if (dims.length < 3 || dims.length > 5) throw new RangeError(`${what}: weight rank ${dims.length}, expected 3..5`);
}

/** Conv weight [Cout, Cin/g, k…] as an upstream op: channel = output channel (reshape (Cout, -1)). */
export function convOutputMap(dims: readonly number[]): ChannelMap {
  const cout = dims[0]!;
  const per = prod(dims) / cout;
  return build(prod(dims), cout, (i) => Math.floor(i / per), (c) => c);
}

/**
 * Conv weight [Cout, Cin/g, k…] as a downstream op: channel = input channel g·(Cin/g) + ic.
 * QUIRK (ported): ESP-PPQ builds the key matrix through reshape (g, Cout/g, Cin/g, k…) → permute(2, 0, 1, …),
 * so the maximum of channel g·(Cin/g) + ic is stored in key row ic·g + grp. For group = 1 and for depthwise
 * (Cin/g = 1) both orders coincide; for other grouped convs the scale of channel c is computed from another
 * channel's maximum (still an exact transformation: each channel is scaled and unscaled by the same factor).
 */
export function convInputMap(dims: readonly number[], group: number): ChannelMap {
  return groupedAxis1Map(dims, group, 'Conv');
}

/**
 * The channels of axis 1 of a grouped weight [A, B, k…] whose axis 0 holds `group` groups: channel
 * grp·B + b, key row b·g + grp (Conv input channels, ConvTranspose output channels; the quirk above).
 */
function groupedAxis1Map(dims: readonly number[], group: number, op: string): ChannelMap {
  assertRank(dims, op);
  const [a, b] = [dims[0]!, dims[1]!];
  const k = prod(dims.slice(2));
  const perGroup = a / group;
  return build(prod(dims), b * group,
    (i) => Math.floor(Math.floor(i / (b * k)) / perGroup) * b + (Math.floor(i / k) % b),
    (c) => (c % b) * group + Math.floor(c / b));
}

/**
 * ConvTranspose weight [Cin, Cout/g, k…] as an upstream op: channel = output channel grp·(Cout/g) + oc.
 * QUIRK (ported): key row is oc·g + grp (reshape (g, Cin/g, Cout/g, k…) → permute(2, 0, 1, …)), as for convInputMap.
 */
export function convTransposeOutputMap(dims: readonly number[], group: number): ChannelMap {
  return groupedAxis1Map(dims, group, 'ConvTranspose');
}

/** ConvTranspose weight [Cin, Cout/g, k…] as a downstream op: channel = input channel (reshape (Cin, -1)). */
export function convTransposeInputMap(dims: readonly number[]): ChannelMap {
  return convOutputMap(dims);
}

/** Gemm B as an upstream op: channel = output feature N (B is [K, N], or [N, K] with transB). */
export function gemmOutputMap(dims: readonly number[], transB: boolean): ChannelMap {
  const [r, c] = [dims[0]!, dims[1]!];
  return transB ? build(r * c, r, (i) => Math.floor(i / c), (x) => x) : build(r * c, c, (i) => i % c, (x) => x);
}

/** Gemm B as a downstream op: channel = input feature K. */
export function gemmInputMap(dims: readonly number[], transB: boolean): ChannelMap {
  const [r, c] = [dims[0]!, dims[1]!];
  return transB ? build(r * c, c, (i) => i % c, (x) => x) : build(r * c, r, (i) => Math.floor(i / c), (x) => x);
}

/** max |w| per key row (torch.max(torch.abs(w), axis=1)), folded into `into` (the concat-then-max of reduce_by_axis). */
export function channelMaxima(w: Float32Array, map: ChannelMap, into?: Float32Array): Float32Array {
  const out = into ?? new Float32Array(map.channels);
  for (let i = 0; i < w.length; i++) {
    const row = map.keyRowOf[map.channelOf[i]!]!;
    const a = Math.abs(w[i]!);
    if (a > out[row]!) out[row] = a;
  }
  return out;
}

/**
 * EqualizationPair.calculate_scale: s = 1 / sqrt(up / down), clamped to [0.1, 10], and s = 1 where
 * up + down < valueThreshold. Deviation: a NaN scale (up = down = 0 with valueThreshold 0) becomes 1, where
 * ESP-PPQ would write NaN into the weights.
 */
export function equalizationScale(up: Float32Array, down: Float32Array, valueThreshold: number): Float32Array {
  const lo = F(0.1), hi = 10, threshold = F(valueThreshold);
  const s = new Float32Array(up.length);
  for (let c = 0; c < up.length; c++) {
    let v = F(1 / F(Math.sqrt(F(up[c]! / down[c]!))));
    v = v < lo ? lo : v > hi ? hi : v;
    if (F(up[c]! + down[c]!) < threshold || Number.isNaN(v)) v = 1;
    s[c] = v;
  }
  return s;
}

/** w[i] ×= s[channel] (upstream) or ÷= s[channel] (downstream), in place, float32-rounded. */
export function scaleChannels(w: Float32Array, map: ChannelMap, s: Float32Array, mode: 'mul' | 'div'): void {
  if (mode === 'mul') for (let i = 0; i < w.length; i++) w[i] = F(w[i]! * s[map.channelOf[i]!]!);
  else for (let i = 0; i < w.length; i++) w[i] = F(w[i]! / s[map.channelOf[i]!]!);
}

/** A bias whose last axis is the channel axis (Conv [C], Gemm [N], [1, N] or [M, N]) ×= s, in place. */
export function scaleBias(b: Float32Array, s: Float32Array): void {
  for (let i = 0; i < b.length; i++) b[i] = F(b[i]! * s[i % s.length]!);
}
