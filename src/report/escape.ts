/**
 * The one escaping rule for text we did not write (evaluator extras, file and branch names, board messages,
 * anything read from a fork's artifact) before it goes into Markdown: the job summary, the PR comment, the
 * `report` command's Markdown. The result is inert wherever it is placed — in running text, in a table cell,
 * in a heading, or inside a code span:
 * - no HTML: `&`, `<`, `>` become entities (no tags, no comments, no entity tricks);
 * - no links or images: `[`, `]` become entities, and `://` / `www.` get a zero-width space, so GitHub's
 *   autolinker finds no URL;
 * - no mentions or references: `@` and a `#` before a digit get a zero-width space (no @-notifications, no
 *   cross-references to other issues);
 * - no escaping of our escapes: `\` becomes an entity, so a trailing backslash cannot swallow a cell's `|`;
 * - no code-span break-out: a backtick becomes an entity;
 * - one line, one cell: line breaks become spaces and `|` is escaped.
 * Emphasis characters (`*`, `_`, `~`) are left alone: they are common in names (`weight_equalization`) and can
 * only change how text looks, never add a link, an image, HTML or a notification.
 * Entities show literally inside a code span (`a&lt;b`): unusual text looks odd there, but stays inert.
 */

const ZWSP = '\u200b';

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '[': '&#91;', ']': '&#93;', '\\': '&#92;', '`': '&#96;' };

/** Escapes untrusted text for any place in a Markdown document (see the module comment for the rules). */
export function escapeMarkdownText(text: string): string {
  return text
    .replace(/#(?=\d)/g, `#${ZWSP}`) // before the entities below, which contain '#' + digits themselves
    .replace(/[&<>[\]\\`]/g, (c) => ENTITIES[c]!)
    .replace(/@/g, `@${ZWSP}`)
    .replace(/:\/\//g, `:/${ZWSP}/`)
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}${ZWSP}.`)
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, ' ');
}
