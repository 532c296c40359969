/**
 * The Action's logger over @actions/core: what it writes to the runner's stdout must never start a workflow
 * command, whatever text (a board's message, an evaluator's output, a fork's artifact) it is given.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { actionsLogger } from '../../../src/action/adapters.js';

afterEach(() => vi.restoreAllMocks());

function stdoutOf(fn: () => void): string {
  const chunks: string[] = [];
  // Capture what @actions/core writes (the runner reads the process's stdout); the logger itself is real.
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  fn();
  return chunks.join('');
}

describe('actionsLogger', () => {
  it('info writes no line a runner would read as a workflow command', () => {
    const out = stdoutOf(() => actionsLogger().info('board says:\n::add-mask::hidden\n  ::stop-commands::x\n::set-output name=passed::true'));
    const lines = out.split(/\r?\n/);
    expect(lines.filter((l) => /^\s*::/.test(l))).toEqual([]);
    expect(out).toContain('board says:');
    expect(out).toContain('add-mask::hidden'); // still readable
  });

  it('warnings keep @actions/core\'s own escaping: one command line, the text as its data', () => {
    const out = stdoutOf(() => actionsLogger().warn('a\n::error::b'));
    expect(out.trim().split(/\r?\n/)).toEqual(['::warning::a%0A::error::b']);
  });
});
