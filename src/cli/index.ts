#!/usr/bin/env node
import { realCliContext } from './node-context.js';
import { main } from './main.js';

const { ctx, dispose } = realCliContext();
process.exitCode = await main(process.argv.slice(2), ctx);
dispose();
