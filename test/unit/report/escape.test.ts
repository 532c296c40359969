/** The one escaping rule for untrusted text in Markdown (src/report/escape.ts). */
import { describe, expect, it } from 'vitest';
import { escapeMarkdownText as esc } from '../../../src/report/escape.js';

const ZW = '\u200b';

describe('escapeMarkdownText', () => {
  it('leaves ordinary names alone', () => {
    for (const s of ['model.onnx', 'int8 · kl · weight_equalization(iterations=10, value_threshold=0.5)', 'feature/x-2', '0003', 'top1 (%)']) {
      expect(esc(s)).toBe(s);
    }
  });
  it('turns HTML into text', () => {
    expect(esc('<img src=x onerror=alert(1)> & <!-- c -->')).toBe('&lt;img src=x onerror=alert(1)&gt; &amp; &lt;!-- c --&gt;');
    expect(esc('&lt;')).toBe('&amp;lt;');
  });
  it('breaks mentions, issue references and autolinks', () => {
    expect(esc('@org/team ping @me')).toBe(`@${ZW}org/team ping @${ZW}me`);
    expect(esc('fixes #12 and o/r#3')).toBe(`fixes #${ZW}12 and o/r#${ZW}3`);
    expect(esc('see https://evil.example/x or WWW.evil.example')).toBe(`see https:/${ZW}/evil.example/x or WWW${ZW}.evil.example`);
  });
  it('makes links and images plain text', () => {
    expect(esc('[click](https://x) ![p](y)')).toBe(`&#91;click&#93;(https:/${ZW}/x) !&#91;p&#93;(y)`);
  });
  it('keeps a table cell one cell on one line, even against a trailing backslash', () => {
    expect(esc('a|b\nc\r\nd')).toBe('a\\|b c d');
    expect(esc('x\\')).toBe('x&#92;');
    expect(esc('x\\|y')).toBe('x&#92;\\|y');
  });
  it('cannot close a code span', () => {
    expect(esc('a`b')).toBe('a&#96;b');
  });
});
