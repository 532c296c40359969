/** See release-tags.mjs. */
export interface ReleasePlan { tag: string; create: string[]; move: string[]; keep: string[] }
export function parseVersion(text: string): { major: number; minor: number; patch: number; pre?: string } | undefined;
export function planRelease(version: string, head: string, tags: Map<string, string>): ReleasePlan;
export function release(opts?: { cwd?: string; push?: boolean; remote?: string; log?: (line: string) => void }): ReleasePlan;
