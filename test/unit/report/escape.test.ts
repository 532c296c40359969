/** The one escaping rule for untrusted text in Markdown (src/report/escape.ts). */
import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdownText as esc, neutralizeWorkflowCommands } from '../../../src/report/escape.js';

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
  it('drops invisible and direction-changing characters, and breaks GH- references', () => {
    // U+202E would render "deliaf" right to left as "failed"; U+2066..U+2069 isolate, U+0000..U+001F control.
    expect(esc('ok \u202Edeliaf\u202C \u2066x\u2069 a\u0000b\u0007c\u001b[31md')).toBe('ok deliaf x abc&#91;31md');
    expect(esc('a\u2028b\u2029c')).toBe('a b c');
    expect(esc('see GH-12 and gh-3')).toBe(`see GH-${ZW}12 and gh-${ZW}3`);
  });
});

describe('every untrusted field of a run report is escaped', () => {
  it('Top-K header (extras names), cells, strategy, run folder and target', async () => {
    const { topKTable, renderMarkdown } = await import('../../../src/report/markdown.js');
    const hostile = '<b>x</b> @team |';
    const report = {
      runDir: `run ${hostile}`, numExperiments: 1, direction: 'minimize' as const, target: `esp32 ${hostile}`,
      candidates: [{ rank: 1, index: 0, folder: 'f', score: 0.5, extras: { [hostile]: hostile }, strategy: `kl ${hostile}`, label: `kl ${hostile}`, lowLatency: true, modelBytes: 10, files: [hostile] }],
      experiments: [],
    };
    const table = topKTable(report as never);
    expect(table.split('\n')[0]).toBe(`| # | exp | score | &lt;b&gt;x&lt;/b&gt; @${ZW}team \\| | strategy | latency (est.) | RAM (est.) | model size |`);
    expect(table.split('\n')[2]).toBe(`| 1 | 0000 | 0.5 | &lt;b&gt;x&lt;/b&gt; @${ZW}team \\| | kl &lt;b&gt;x&lt;/b&gt; @${ZW}team \\| | – | – | 10 B |`);
    const md = renderMarkdown(report as never);
    expect(md).not.toMatch(/<b>|@team/);
    // The full strategies and files, in the collapsed block.
    expect(md).toContain(`| 0000 | kl &lt;b&gt;x&lt;/b&gt; @${ZW}team \\| | &lt;b&gt;x&lt;/b&gt; @${ZW}team \\| |`);
    expect(md).toContain(`Run folder: \`run &lt;b&gt;x&lt;/b&gt; @${ZW}team \\|\``);
    expect(md).toContain(`target esp32 &lt;b&gt;x&lt;/b&gt; @${ZW}team \\|`);
  });
});

describe('escapeHtml', () => {
  it('makes markup, attribute break-outs and entities inert text', () => {
    expect(escapeHtml('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(escapeHtml('" onmouseover="x\' y')).toBe('&quot; onmouseover=&quot;x&#39; y');
    expect(escapeHtml('&amp; <!-- c -->')).toBe('&amp;amp; &lt;!-- c --&gt;');
    expect(escapeHtml('/down/down.6/Conv · int8 · kl')).toBe('/down/down.6/Conv · int8 · kl');
  });
});

describe('neutralizeWorkflowCommands', () => {
  it('breaks the :: of every line that would start a workflow command, and nothing else', () => {
    expect(neutralizeWorkflowCommands('::add-mask::x')).toBe(`:${ZW}:add-mask::x`);
    expect(neutralizeWorkflowCommands('ok\n  ::set-output name=a::b\n\t::stop-commands::t')).toBe(`ok\n  :${ZW}:set-output name=a::b\n\t:${ZW}:stop-commands::t`);
    expect(neutralizeWorkflowCommands('std::vector a::b :x')).toBe('std::vector a::b :x');
  });
});
