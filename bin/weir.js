#!/usr/bin/env node
// The `weir` command. Plain JavaScript that any Node runs, so that an older Node gets a clear
// message instead of a syntax error from the TypeScript sources (Node 24 runs them directly).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `weir needs Node 24 or newer; this is Node ${process.versions.node}. ` +
      'In the weir checkout, `npx weir ...` and `npm run ...` use the project\'s own Node 24 ' +
      '(a devDependency, installed by `npm ci`).\n',
  );
  process.exit(2);
}
const { runFromProcess } = await import('../services/cli/main.ts');
process.exitCode = await runFromProcess();
