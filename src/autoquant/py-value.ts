/**
 * Python-shaped values. ESP-PPQ's run folders and candidate hashes depend on Python's int/float distinction
 * (`2` vs `2.0` print differently in json.dumps), which JS numbers lose. Convention used everywhere here:
 * a plain JS `number` is a Python int when it is an integer and a float otherwise; a `PyFloat` box marks a
 * float whose value is integral (`0.0`, `1.0`, `2.0`). `pyFloat(x)` builds the canonical form.
 */

/** A Python float with an integral value (e.g. `0.0`); non-integral floats are plain numbers. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type PyScalar = null | boolean | string | number | PyFloat;
export type PyValue = PyScalar | PyValue[] | PyDict;
/** A Python dict: JS objects keep insertion order for non-index-like keys, which is all we use. */
export interface PyDict { [key: string]: PyValue }

/** Canonical Python float: boxed only when the JS number alone would read as an int. */
export function pyFloat(x: number): number | PyFloat {
  return Number.isInteger(x) || Object.is(x, -0) ? new PyFloat(x) : x;
}

/** True for JSON-ish numbers: plain numbers and PyFloat. (Python bool is an int, see `isPyReal`.) */
export function isPyNumber(v: unknown): v is number | PyFloat {
  return typeof v === 'number' || v instanceof PyFloat;
}

/** Python `isinstance(v, (int, float))`: bools count (they are ints in Python). */
export function isPyReal(v: unknown): v is number | PyFloat | boolean {
  return isPyNumber(v) || typeof v === 'boolean';
}

/** Numeric value of a number/PyFloat/bool (Python semantics: True == 1). */
export function num(v: PyValue | undefined): number {
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number.NaN;
}

/** True when `v` is a Python int (not bool, not float). */
export function isPyInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && !Object.is(v, -0);
}

export function isPyDict(v: unknown): v is PyDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof PyFloat);
}

/** Python `==` on JSON-like values: numbers (and bools) compare by value, dicts ignore key order. */
export function pyEquals(a: PyValue | undefined, b: PyValue | undefined): boolean {
  if (isPyReal(a) && isPyReal(b)) return num(a) === num(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => pyEquals(x, b[i]));
  }
  const ka = Object.keys(a as PyDict);
  const kb = Object.keys(b as PyDict);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEquals((a as PyDict)[k], (b as PyDict)[k]));
}

/** Python `float.__repr__` (shortest round-trip digits; exponent form below 1e-4 and from 1e16). */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = x.toExponential().split('e');
  const e = Number(expStr);
  const sign = x < 0 ? '-' : '';
  const digits = mant.replace('-', '').replace('.', '');
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const intPart = digits.slice(0, e + 1).padEnd(e + 1, '0');
  return `${sign}${intPart}.${digits.slice(e + 1) || '0'}`;
}

/** Short display form (Python-ish), for logs and reports. */
export function pyShow(v: PyValue): string {
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (typeof v === 'number' && !isPyInt(v)) return floatRepr(v);
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `[${v.map(pyShow).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${pyShow(x)}`).join(', ')}}`;
  return String(v);
}

/** Plain JS data for API callers: float boxes become numbers (the int/float distinction only matters for hashes). */
export function toPlain(v: PyValue): unknown {
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map((x) => toPlain(x));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x as PyValue)]));
  return v;
}
