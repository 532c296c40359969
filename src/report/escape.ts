/**
 * The one escaping rule for text we did not write (evaluator extras, file and branch names, board messages,
 * anything read from a fork's artifact) before it goes into Markdown: the job summary, the PR comment, the
 * `report` command's Markdown. The result is inert wherever it is placed — in running text, in a table cell,
 * in a heading, or inside a code span:
 * - no HTML: `&`, `<`, `>` become entities (no tags, no comments, no entity tricks);
 * - no links or images: `[`, `]` become entities, and `://` / `www.` get a zero-width space, so GitHub's
 *   autolinker finds no URL;
 * - no mentions or references: `@`, a `#` before a digit and `GH-` before a digit get a zero-width space (no
 *   @-notifications, no cross-references to other issues);
 * - no escaping of our escapes: `\` becomes an entity, so a trailing backslash cannot swallow a cell's `|`;
 * - no code-span break-out: a backtick becomes an entity;
 * - one line, one cell: line breaks (also U+2028/U+2029) become spaces and `|` is escaped;
 * - nothing invisible that changes what a reader sees: control characters and bidirectional overrides/isolates
 *   (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) are removed, so a value cannot make "failed" render
 *   as "passed" or hide text.
 * Emphasis characters (`*`, `_`, `~`) are left alone: they are common in names (`weight_equalization`) and can
 * only change how text looks, never add a link, an image, HTML or a notification.
 * Entities show literally inside a code span (`a&lt;b`): unusual text looks odd there, but stays inert.
 */

const ZWSP = '\u200b';

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '[': '&#91;', ']': '&#93;', '\\': '&#92;', '`': '&#96;' };

/** Escapes untrusted text for any place in a Markdown document (see the module comment for the rules). */
export function escapeMarkdownText(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/#(?=\d)/g, `#${ZWSP}`) // before the entities below, which contain '#' + digits themselves
    .replace(/\bGH-(?=\d)/gi, (g) => `${g}${ZWSP}`)
    .replace(/[&<>[\]\\`]/g, (c) => ENTITIES[c]!)
    .replace(/@/g, `@${ZWSP}`)
    .replace(/:\/\//g, `:/${ZWSP}/`)
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}${ZWSP}.`)
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n|\u2028|\u2029/g, ' ');
}

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * The same rule's HTML half, for the self-contained HTML report: text we did not write becomes inert text in an
 * element or in a quoted attribute value (`&`, `<`, `>`, both quotes become entities). Never build tags, URLs,
 * event handlers or style values from such text.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/**
 * Log text for a GitHub Actions runner: the runner reads any output line that starts with `::` as a workflow
 * command (`::set-output`, `::add-mask`, `::stop-commands`, …), so a log line carrying text we did not write could
 * issue one. A zero-width space between the two colons of such a line (leading blanks allowed) leaves the text
 * readable and the runner uninterested. `@actions/core`'s warning/error/debug escape their own data; `info` does not.
 */
export function neutralizeWorkflowCommands(text: string): string {
  return text.replace(/^([ \t]*):(?=:)/gm, `$1:${ZWSP}`);
}
