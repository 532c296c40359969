/**
 * Source comments cite documents of the repository (`docs/esp-ppq.md §3.5`, `README.md`, …): every cited file
 * exists and every cited section is a heading of it, so no comment points at a document outside the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

const SOURCE_DIRS = ['src', 'test', 'scripts', 'runner', 'qemu', 'examples', '.github'];
const TEXT = /\.(ts|mts|mjs|js|py|cpp|h|hpp|c|yml|yaml|sh|txt|cmake)$|^(CMakeLists\.txt|Dockerfile)$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'fixtures' || name === 'generated' || name === 'node_modules' ? [] : files(p);
    return TEXT.test(name) ? [p] : [];
  });
}

/** `docs/x.md §1.2, §3` → ['docs/x.md', ['1.2', '3']]; `… Appendix A` → section 'Appendix A'. */
function citations(text: string): { doc: string; sections: string[] }[] {
  const out: { doc: string; sections: string[] }[] = [];
  for (const m of text.matchAll(/(?<![\w./-])((?:docs\/)?[\w-]+\.md)((?:[ ,/]*(?:§\s?[\dA-Z][\w.]*|Appendix [A-Z]))*)/g)) {
    const sections = [...m[2]!.matchAll(/§\s?([\dA-Z][\w]*(?:\.\d+)*)|Appendix ([A-Z])/g)].map((s) => (s[1] ?? `Appendix ${s[2]}`));
    out.push({ doc: m[1]!, sections });
  }
  return out;
}

describe('document references in source comments', () => {
  it('name files that exist and sections that are headings there', () => {
    const problems: string[] = [];
    for (const file of SOURCE_DIRS.flatMap((d) => (existsSync(path.join(REPO_ROOT, d)) ? files(path.join(REPO_ROOT, d)) : []))) {
      const text = readFileSync(file, 'utf8');
      const rel = path.relative(REPO_ROOT, file);
      if (rel === path.join('test', 'unit', 'docs-references.test.ts')) continue; // its own examples
      for (const { doc, sections } of citations(text)) {
        // Upstream files cited by their own path (esp-dl's operator_performance.md, a model zoo README) are not ours.
        const ours = doc.startsWith('docs/') || ['README.md', 'PROTOCOL.md'].includes(doc) || text.includes(`${doc} §`);
        if (!ours) continue;
        // Relative to the repository, to the citing file's folder or one above it (runner/PROTOCOL.md from runner/…).
        const bases = [REPO_ROOT, path.join(REPO_ROOT, 'runner')];
        for (let d = path.dirname(file); d.startsWith(REPO_ROOT); d = path.dirname(d)) bases.push(d);
        const target = bases.map((b) => path.join(b, doc)).find((p) => existsSync(p));
        if (!target) { problems.push(`${rel}: ${doc} does not exist`); continue; }
        const headings = readFileSync(target, 'utf8').split('\n').filter((l) => l.startsWith('#'));
        for (const s of sections) {
          const re = new RegExp(`^#+ ${s.replace(/\./g, '\\.')}[ .]`);
          if (!headings.some((h) => re.test(`${h} `))) problems.push(`${rel}: ${doc} has no section ${s}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the checker sees a citation it cannot resolve', () => {
    // Another project's path (onnx/docs/Operators.md) is not a citation of ours.
    expect(citations('see docs/esp-ppq.md §5.4 e, §3.8 and esp-dl.md §1.2; docs/github-actions.md Appendix A; onnx/docs/Operators.md'))
      .toEqual([{ doc: 'docs/esp-ppq.md', sections: ['5.4'] }, { doc: 'esp-dl.md', sections: ['1.2'] }, { doc: 'docs/github-actions.md', sections: ['Appendix A'] }]);
  });
});
