import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's `promtool` (package prometheus); `.ci/run` installs it with apt-get. */
const binary = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

/**
 * Whether the promtool checks run here. Locally, without promtool installed, they are skipped with
 * a notice; in CI (CI=true) a missing promtool fails them, so a broken install can never pass.
 */
export const skipWithoutPromtool = !existsSync(binary) && process.env.CI !== 'true';
if (skipWithoutPromtool) {
  process.stderr.write(
    `\n${binary} is not installed: skipping the promtool checks of the alert rules (apt-get install -y prometheus)\n\n`,
  );
}

/** Runs promtool with `args` in `directory`; resolves to its exit code and everything it printed. */
export function promtool(
  args: readonly string[],
  directory: string,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { cwd: directory }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(
          new Error(
            `cannot run ${binary} (${error.message}): install Debian's prometheus package, as .ci/run does`,
          ),
        );
        return;
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, output: `${stdout}${stderr}` });
    });
  });
}
