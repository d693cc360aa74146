#!/usr/bin/env node
// The published entry: the compiled CLI. `npm ci` builds dist/ through the `prepare` script.
// The AWS SDK is pinned to a release that supports Node 20 (see README); its notice that later
// releases need Node 22 is for us, not for the person running the tool.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { main } = await import('../dist/cli/main.js');

main(process.argv).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error) => {
    process.stderr.write(`janitor: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
