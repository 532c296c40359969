/**
 * The report use case: a search run folder (ours or ESP-PPQ's AutoQuant) rendered as Markdown, a
 * self-contained HTML page or JSON (the renderers of src/report). The CLI `report` calls it.
 */
import { fsRunStore } from '../node/run-folder.js';
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
