/**
 * Real implementations of the Action's seams over @actions/core, cache, artifact and github. Every failure
 * of optional infrastructure becomes a warning here, so main.ts never has to care.
 */
import * as core from '@actions/core';
import * as cache from '@actions/cache';
import { DefaultArtifactClient, type FindOptions } from '@actions/artifact';
import { getOctokit } from '@actions/github';
import type { ExistingComment } from './comment.js';
import type {
  ActionLogger, ArtifactRef, ArtifactSource, ArtifactStore, CacheStore, CommentApiFactory, OutputSink, RepoApiFactory, SummarySink,
} from './seams.js';
import { parseWorkflowRun } from './trust.js';
import { neutralizeWorkflowCommands } from '../report/escape.js';

const text = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Logger over core.* (warnings become annotations, so a down cache is visible but not fatal). */
export function actionsLogger(): ActionLogger {
  return {
    debug: (m) => core.debug(m),
    info: (m) => core.info(neutralizeWorkflowCommands(m)),
    warn: (m) => core.warning(m),
    error: (m) => core.error(m),
    group: (name, fn) => core.group(name, fn),
  };
}

/** CacheStore over @actions/cache; every failure is a warning and reads as a miss / not saved. */
export function actionsCache(log: ActionLogger): CacheStore {
  return {
    async restore(paths, key, restoreKeys) {
      if (!cache.isFeatureAvailable()) {
        log.warn('The Actions cache service is not available on this runner: starting without a restored run folder.');
        return undefined;
      }
      try {
        return await cache.restoreCache(paths, key, restoreKeys);
      } catch (err) {
        log.warn(`Cache restore failed (${text(err)}); continuing without it.`);
        return undefined;
      }
    },
    async save(paths, key) {
      if (!cache.isFeatureAvailable()) return false;
      try {
        return (await cache.saveCache(paths, key)) !== -1;
      } catch (err) {
        log.warn(`Cache save failed (${text(err)}); the next run will not resume from this one.`);
        return false;
      }
    },
  };
}

function findBy(from: ArtifactSource | undefined): FindOptions {
  if (!from) return {};
  return { findBy: { token: from.token, workflowRunId: from.runId, repositoryOwner: from.owner, repositoryName: from.repo } };
}

/** ArtifactStore over @actions/artifact (v4 service). Upload failures warn; list/download failures throw. */
export function actionsArtifacts(log: ActionLogger): ArtifactStore {
  const client = new DefaultArtifactClient();
  return {
    async upload(name, files, root, retentionDays) {
      try {
        const res = await client.uploadArtifact(name, files, root, retentionDays > 0 ? { retentionDays } : {});
        if (res.id === undefined) throw new Error('the service returned no artifact id');
        const ref: ArtifactRef = { id: res.id, name };
        if (res.digest !== undefined) ref.digest = `sha256:${res.digest}`;
        if (res.size !== undefined) ref.size = res.size;
        return ref;
      } catch (err) {
        log.warn(`Artifact upload of '${name}' failed (${text(err)}); the report has no download link.`);
        return undefined;
      }
    },
    async list(from) {
      const { artifacts } = await client.listArtifacts({ latest: true, ...findBy(from) });
      return artifacts.map((a) => ({ id: a.id, name: a.name, size: a.size, ...(a.digest ? { digest: a.digest } : {}) }));
    },
    async download(ref, dir, from) {
      const res = await client.downloadArtifact(ref.id, { path: dir, ...(ref.digest ? { expectedHash: ref.digest } : {}), ...findBy(from) });
      if (res.digestMismatch) throw new Error(`artifact '${ref.name}' (id ${ref.id}) does not match its digest ${ref.digest}`);
    },
  };
}

/** The PR-comment API over Octokit; baseUrl from GITHUB_API_URL read now (not at import time). */
export function actionsComments(env: Readonly<Record<string, string | undefined>>): CommentApiFactory {
  return (token, owner, repo, issue) => {
    if (!token) return undefined;
    const octokit = getOctokit(token, { baseUrl: env['GITHUB_API_URL'] || 'https://api.github.com' });
    return {
      async list(): Promise<ExistingComment[]> {
        const all = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issue, per_page: 100 });
        return all.map((c) => ({ id: c.id, body: c.body ?? '', ...(c.user?.type ? { userType: c.user.type } : {}) }));
      },
      async create(body) {
        return (await octokit.rest.issues.createComment({ owner, repo, issue_number: issue, body })).data.id;
      },
      async update(id, body) {
        await octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body });
      },
    };
  };
}

/** Runs and pull requests over Octokit (GitHub's records, which trust.ts decides from). */
export function actionsRepoApi(env: Readonly<Record<string, string | undefined>>): RepoApiFactory {
  return (token, owner, repo) => {
    if (!token) return undefined;
    const octokit = getOctokit(token, { baseUrl: env['GITHUB_API_URL'] || 'https://api.github.com' });
    return {
      async getRun(runId) {
        const run = parseWorkflowRun((await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: runId })).data);
        if (!run) throw new Error(`GitHub returned no workflow run ${runId}`);
        return run;
      },
      async openPullsByHead(headOwner, headBranch) {
        const pulls = await octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: 'open', head: `${headOwner}:${headBranch}`, per_page: 100 });
        return pulls.map((p) => ({ number: p.number, headSha: p.head.sha, headRepository: p.head.repo?.full_name ?? null }));
      },
    };
  };
}

export function actionsSummary(): SummarySink {
  return { write: async (md) => void (await core.summary.addRaw(md, true).write()) };
}

export function actionsOutputs(): OutputSink {
  return { set: (name, value) => core.setOutput(name, value) };
}
