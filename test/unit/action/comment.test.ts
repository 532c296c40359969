import { describe, expect, it } from 'vitest';
import { commentBody, commentMarker, MAX_COMMENT_CHARS, upsertComment, type CommentApi, type ExistingComment } from '../../../src/action/comment.js';

function memoryApi(initial: ExistingComment[] = []): CommentApi & { comments: ExistingComment[]; calls: string[] } {
  const comments = [...initial];
  const calls: string[] = [];
  let next = 100;
  return {
    comments, calls,
    list: async () => comments.map((c) => ({ ...c })),
    create: async (body) => { calls.push('create'); comments.push({ id: next, body, userType: 'Bot' }); return next++; },
    update: async (id, body) => { calls.push(`update ${id}`); comments.find((c) => c.id === id)!.body = body; },
  };
}

const marker = commentMarker('CI', 'models/net.onnx', 'esp32p4');

describe('PR comment upsert', () => {
  it('builds a marker that cannot close the HTML comment early', () => {
    expect(commentMarker('a --> b', 'x<y>', 'esp32')).toBe('<!-- espdl-autoquant report: a -_ b | x_y_ | esp32 -->');
  });

  it('creates once, then updates the same comment', async () => {
    const api = memoryApi([{ id: 1, body: 'LGTM', userType: 'User' }]);
    expect(await upsertComment(api, marker, commentBody(marker, 'v1', 'v1', ''), 'always')).toEqual({ action: 'created', id: 100 });
    expect(await upsertComment(api, marker, commentBody(marker, 'v2', 'v2', ''), 'always')).toEqual({ action: 'updated', id: 100 });
    expect(api.comments).toHaveLength(2);
    expect(api.comments[1]!.body.endsWith('\nv2')).toBe(true);
    expect(api.calls).toEqual(['create', 'update 100']);
  });

  it('on-change leaves an unchanged report alone but updates a changed one', async () => {
    const api = memoryApi();
    await upsertComment(api, marker, commentBody(marker, 'same\nrun 1', 'same', ''), 'on-change');
    expect((await upsertComment(api, marker, commentBody(marker, 'same\nrun 2', 'same', ''), 'on-change')).action).toBe('unchanged');
    expect((await upsertComment(api, marker, commentBody(marker, 'other', 'other', ''), 'on-change')).action).toBe('updated');
    expect(api.calls).toEqual(['create', 'update 100']);
  });

  it('ignores a human comment that quotes the marker, and other workflows\' markers', async () => {
    const api = memoryApi([
      { id: 5, body: `> ${marker}\nwhy?`, userType: 'User' },
      { id: 6, body: commentMarker('Nightly', 'models/net.onnx', 'esp32p4'), userType: 'Bot' },
      // Another bot (a welcome bot quoting the PR description, say) whose comment merely contains our marker.
      { id: 7, body: `Thanks for the PR! You wrote:\n> ${marker}`, userType: 'Bot' },
    ]);
    expect((await upsertComment(api, marker, commentBody(marker, 'r', 'r', ''), 'always')).action).toBe('created');
  });

  it('never does nothing', async () => {
    const api = memoryApi();
    expect(await upsertComment(api, marker, 'x', 'never')).toEqual({ action: 'skipped' });
    expect(api.calls).toEqual([]);
  });

  it('cuts an oversized report to GitHub\'s limit and says where the rest is', () => {
    const body = commentBody(marker, 'x'.repeat(70_000), 'x', 'see the job summary');
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(body.startsWith(`${marker}\n`)).toBe(true);
    expect(body).toContain('see the job summary');
  });
});
