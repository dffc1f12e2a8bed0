#!/usr/bin/env node
// The `zoobot-ts` command (package.json bin).
import { runCli } from './program.js';

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
