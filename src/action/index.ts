// The Action's entry (bundled to dist/action/index.js): all logic is in run(), all effects in realDeps().
import { realRunnerFactory } from '../node/search-runner-factory.js';
import { run } from './main.js';
import { realDeps } from './real-deps.js';
await run(await realDeps(realRunnerFactory));
