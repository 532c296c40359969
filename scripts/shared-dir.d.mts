/** See shared-dir.mjs. */
export function sharedDir(repoRoot: string, env?: NodeJS.ProcessEnv): string;
