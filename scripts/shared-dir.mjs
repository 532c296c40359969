// Where ../shared (reference fixtures) is for tests and scripts: $ESPDL_SHARED_DIR if set, else the nearest
// `shared` folder with fixtures/ beside the repository or beside one of its ancestors (so a clone in any
// temporary folder under the workspace still finds it), else ../shared (the documented place, named in errors).
import { existsSync } from 'node:fs';
import path from 'node:path';

/** @param {string} repoRoot absolute path of this repository @param {NodeJS.ProcessEnv} [env] */
export function sharedDir(repoRoot, env = process.env) {
  if (env.ESPDL_SHARED_DIR) return path.resolve(env.ESPDL_SHARED_DIR);
  for (let dir = path.dirname(repoRoot); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared');
    if (existsSync(path.join(candidate, 'fixtures'))) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(repoRoot, '../shared');
  }
}
