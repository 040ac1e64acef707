#!/usr/bin/env node
// The `satu-akun` command (package.json "bin"): runs the TypeScript sources through tsx, like `npm start` does.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/satu-akun.ts');
process.exitCode = await runCli(process.argv.slice(2));
