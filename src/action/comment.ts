/**
 * The one self-updating PR comment (docs/github-actions.md §5, Appendix D): a hidden marker per (workflow, model,
 * target) finds our earlier comment, which is updated instead of adding a new one on every push. The marker
 * also carries a digest of the report content, so `comment: on-change` can leave an unchanged comment alone.
 */
import { createHash } from 'node:crypto';
import type { CommentPolicy } from './inputs.js';

/** GitHub rejects comment bodies over 65,536 characters. */
export const MAX_COMMENT_CHARS = 65_536;

/** One existing issue comment as the API lists it. */
export interface ExistingComment { id: number; body: string; userType?: string }

/** The REST calls the upsert needs (CommentSink seam; real one over Octokit in adapters.ts). */
export interface CommentApi {
  /** Every comment on the PR (all pages). */
  list(): Promise<ExistingComment[]>;
  create(body: string): Promise<number>;
  update(id: number, body: string): Promise<void>;
}

export type UpsertAction = 'created' | 'updated' | 'unchanged' | 'skipped';

/** `<!-- espdl-autoquant report: <workflow> | <model> | <target> -->` with `--` and `>` neutralised. */
export function commentMarker(workflow: string, model: string, target: string): string {
  const clean = (s: string): string => s.replace(/--+/g, '-').replace(/[<>]/g, '_');
  return `<!-- espdl-autoquant report: ${clean(workflow)} | ${clean(model)} | ${clean(target)} -->`;
}

const digestOf = (content: string): string => createHash('sha256').update(content).digest('hex').slice(0, 16);
const DIGEST_RE = /<!-- espdl-autoquant digest: ([0-9a-f]+) -->/;

/**
 * The full comment body: marker line, digest line, then the report. `stableContent` is the part whose change
 * counts as a change for `on-change` (the report without run links/timestamps). Over the size limit the
 * report is cut and says where the full report is.
 */
export function commentBody(marker: string, report: string, stableContent: string, fullReportHint: string): string {
  const head = `${marker}\n<!-- espdl-autoquant digest: ${digestOf(stableContent)} -->\n`;
  const body = head + report;
  if (body.length <= MAX_COMMENT_CHARS) return body;
  const note = `\n\n… (cut to fit GitHub's comment size limit; ${fullReportHint})\n`;
  return head + report.slice(0, MAX_COMMENT_CHARS - head.length - note.length) + note;
}

/**
 * Creates or updates the marker comment. Our comment is the first one by a Bot that starts with the marker, as
 * every body commentBody builds does (a human or another bot quoting the marker does not hijack it).
 * `on-change` skips the update when the digest matches.
 */
export async function upsertComment(api: CommentApi, marker: string, body: string, policy: CommentPolicy): Promise<{ action: UpsertAction; id?: number }> {
  if (policy === 'never') return { action: 'skipped' };
  const existing = (await api.list()).find((c) => c.userType === 'Bot' && c.body.startsWith(marker));
  if (!existing) return { action: 'created', id: await api.create(body) };
  if (policy === 'on-change' && DIGEST_RE.exec(existing.body)?.[1] === DIGEST_RE.exec(body)?.[1]) {
    return { action: 'unchanged', id: existing.id };
  }
  await api.update(existing.id, body);
  return { action: 'updated', id: existing.id };
}
