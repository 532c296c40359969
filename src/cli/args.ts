/** Small argument helpers shared by commands (node:util parseArgs does the parsing). */
import { InputError } from '../errors.js';

export function parsePositiveInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`${flag} "${text}": expected a positive integer`);
  return n;
}

export function requireFlag<T>(value: T | undefined, flag: string, usage: string): T {
  if (value === undefined || value === '') throw new InputError(`missing ${flag}\n\n${usage}`);
  return value;
}

export function splitList(text: string | undefined): string[] {
  return text ? text.split(',').map((s) => s.trim()).filter(Boolean) : [];
}
