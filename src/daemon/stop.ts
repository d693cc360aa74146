import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';

/** How often, under npm, the daemon looks whether the processes that started it are still there. */
const parentPollMs = 1_000;

/** Who started this process, when it was npm: read first thing, before npm can go away. */
export interface Starter {
  readonly underNpm: boolean;
  /** npm's `sh -c` and npm itself, or empty when they were already gone (the daemon was orphaned). */
  readonly ancestors: readonly number[];
}

export function starter(): Starter {
  const underNpm = process.env.npm_command !== undefined;
  if (!underNpm) return { underNpm, ancestors: [] };
  // npm runs the bin through `sh -c`, which may outlive npm: watch both.
  const ancestors = [process.ppid, parentOf(process.ppid)].filter(
    (pid): pid is number => pid !== undefined && pid > 1,
  );
  return { underNpm, ancestors };
}

/**
 * Resolves with what asked the daemon to stop: SIGTERM, SIGINT — or, when it was started through
 * npm (`npx janitor daemon`, `npm exec`), the end of that npm process. npm's exec does not pass
 * SIGTERM on: a supervisor that stops npx would otherwise leave this process running, re-parented,
 * deleting with its port bound. Under npm, the parent going away is the stop it could not pass on.
 */
export function waitForStop(logger: Logger, started: Starter): Promise<string> {
  return new Promise((resolve) => {
    const done = (reason: string) => {
      clearInterval(watch);
      resolve(reason);
    };
    process.once('SIGTERM', () => done('SIGTERM'));
    process.once('SIGINT', () => done('SIGINT'));
    if (started.underNpm) {
      logger.warn(
        'started through npm (npx or npm exec), which does not pass SIGTERM on: run the installed bin ' +
          '(janitor, or node bin/janitor.js) under a supervisor; this daemon stops when npm exits',
      );
    }
    const orphaned = () =>
      started.underNpm && (started.ancestors.length === 0 || started.ancestors.some((pid) => !isAlive(pid)));
    const watch = setInterval(() => {
      if (orphaned()) done('the npm process that started it exited');
    }, parentPollMs);
    watch.unref();
  });
}

/** A process's parent, where the system says (Linux's /proc); undefined elsewhere. */
function parentOf(pid: number): number | undefined {
  try {
    // /proc/PID/stat: "pid (command) state ppid …"; the command may hold spaces, so read after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parent = Number(fields[1]);
    return Number.isInteger(parent) ? parent : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
