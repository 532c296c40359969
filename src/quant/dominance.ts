/**
 * The two ways configs get linked, with ESP-PPQ's exact state side effects (esp_ppq/core/quant.py,
 * TensorQuantizationConfig.dominated_by / master_by setters). Passes must use these, never assign `dominator`.
 */
import { resolve, type TensorQuantConfig } from './types.js';

/**
 * `a.dominated_by = b`: a's group joins b's group; a and a's old root become OVERLAPPED (not quantized on
 * their own: the value is already quantized by the root).
 */
export function dominateBy(a: TensorQuantConfig, b: TensorQuantConfig): void {
  if (a === b) throw new Error(`config ${a.id} (${a.value}) cannot dominate itself`);
  const root = resolve(a);
  const dominator = resolve(b);
  if (dominator === a) throw new Error(`circular domination between configs of ${a.value} and ${b.value}`);
  if (dominator !== root) {
    root.dominator = dominator;
    a.dominator = dominator;
    root.state = 'OVERLAPPED';
    a.state = 'OVERLAPPED';
  }
}

/**
 * `a.master_by = b`: a shares b's scale but still quantizes its value (PASSIVE). Unlike dominateBy, only `a`
 * is re-pointed: configs that a dominated follow it to b through the chain.
 */
export function masterBy(a: TensorQuantConfig, b: TensorQuantConfig): void {
  if (a === b) throw new Error(`config ${a.id} (${a.value}) cannot master itself`);
  a.dominator = b;
  a.state = resolve(b).exponent !== undefined ? 'PASSIVE' : 'PASSIVE_INIT';
}
