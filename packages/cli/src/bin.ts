#!/usr/bin/env node
// The `portcullis` command: runs the CLI with the process's arguments and I/O, prints what it
// produced, and exits with its code. Everything else lives in run.ts and src/commands/.
import { nodeIo } from './io.ts';
import { run } from './run.ts';

const result = await run(process.argv.slice(2), nodeIo());
if (result.stdout !== '') process.stdout.write(result.stdout);
if (result.stderr !== '') process.stderr.write(result.stderr);
process.exitCode = result.exitCode;
