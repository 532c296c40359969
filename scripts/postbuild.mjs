// Makes the compiled CLI entry executable (npm links it as the `espdl-autoquant` bin).
import { chmodSync, existsSync } from 'node:fs';

const cli = new URL('../lib/cli/index.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
