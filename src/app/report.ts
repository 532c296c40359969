/**
 * The report use case: a search run folder (ours or ESP-PPQ's AutoQuant) rendered as Markdown, a
 * self-contained HTML page or JSON (the renderers of src/report). The CLI `report` calls it.
 */
import path from 'node:path';
import { fsRunStore } from '../node/run-folder.js';
import { checkOutputs, resolveOutput, runFolderFiles, writeFileAtomic } from '../node/safe-paths.js';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import { loadRunReport, renderJson } from '../report/run-report.js';

export const REPORT_FORMATS = ['md', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportRequest {
  /** The run folder (summary.json, candidates.json, NNNN/), relative to `cwd`. */
  runDir: string;
  format: ReportFormat;
  cwd: string;
}

/** The HTML report's name inside a run folder (the Action's artifact and the demo write it there). */
export const HTML_REPORT_FILE = 'report.html';

/** The rendered report text. */
export async function renderRunFolder(req: ReportRequest): Promise<string> {
  const report = await loadRunReport(fsRunStore(req.runDir, req.cwd));
  return req.format === 'json' ? renderJson(report) : req.format === 'html' ? renderHtml(report) : renderMarkdown(report);
}

/** Writes the HTML report into the run folder (atomically) and returns its absolute path. */
export async function writeHtmlReport(runDir: string, cwd: string): Promise<string> {
  const store = fsRunStore(runDir, cwd);
  await store.writeTextAtomic(HTML_REPORT_FILE, renderHtml(await loadRunReport(store)));
  return store.resolve(HTML_REPORT_FILE);
}

/**
 * Renders the run folder into the file `out` (atomically). Checked first: `out` is not a folder and not one of
 * the run's own files (`--out run/summary.json` would destroy the run it reports). Returns the file's path.
 */
export async function writeRunFolderReport(req: ReportRequest & { out: string; outName?: string }): Promise<string> {
  const what = req.outName ?? 'output';
  const file = resolveOutput(req.cwd, req.out, what);
  await checkOutputs([{ file, what }], await runFolderFiles(path.resolve(req.cwd, req.runDir)));
  await writeFileAtomic(file, await renderRunFolder(req));
  return file;
}
