import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { ImageReferenceError, parseImageReference } from './reference.js';
import type { ImageUseText, InUseSource } from './snapshot.js';

/**
 * A file of image references, one a line (`#` starts a comment): whatever the other sources do
 * not see — App Runner, Batch, a CD system's manifest. Read again on every refresh. A missing file
 * or a line that is no reference fails the source: a typo must not unprotect an image.
 */
export function referencesFile(path: string): InUseSource {
  return {
    name: `references file ${path}`,
    async read() {
      return parseReferenceList(await readFile(path, 'utf8'), `list ${path}`);
    },
  };
}

/** The most a command may print: a list of a million references fits. */
const maxOutputBytes = 256 * 1024 * 1024;

/**
 * A command whose standard output is such a list. A string runs through `/bin/sh -c` (pipes and
 * variables work); a list is the program and its arguments, run without a shell. Exiting non-zero,
 * being killed or running past the timeout fails the source.
 */
export function referencesCommand(command: string | readonly string[]): InUseSource {
  const [program, ...args] = typeof command === 'string' ? ['/bin/sh', '-c', command] : command;
  const display = typeof command === 'string' ? command : command.join(' ');
  return {
    name: `references command \`${display}\``,
    read: (signal) =>
      new Promise<ImageUseText[]>((resolve, reject) => {
        execFile(
          program as string,
          args,
          { signal, maxBuffer: maxOutputBytes, encoding: 'utf8' },
          (error, stdout, stderr) => {
            if (error) {
              const detail = stderr.trim().split('\n').slice(-3).join(' | ');
              const how =
                error.name === 'AbortError'
                  ? 'was stopped: it ran past the in-use timeout'
                  : typeof error.code === 'number'
                    ? `exited with status ${error.code}`
                    : error.signal
                      ? `was killed by ${error.signal}`
                      : error.message;
              reject(new Error(`\`${display}\` ${how}${detail ? `: ${detail}` : ''}`));
              return;
            }
            try {
              resolve(parseReferenceList(stdout, `command \`${display}\``));
            } catch (parseError) {
              reject(parseError);
            }
          },
        );
      }),
  };
}

/** One reference a line; blank lines and `#` comments are skipped; anything else must be a reference. */
export function parseReferenceList(text: string, origin: string): ImageUseText[] {
  const uses: ImageUseText[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    try {
      parseImageReference(line);
    } catch (error) {
      if (!(error instanceof ImageReferenceError)) throw error;
      throw new Error(`${origin}, line ${index + 1}: "${line}" ${error.message}`);
    }
    uses.push({ image: line, usedBy: `${origin} (line ${index + 1})` });
  });
  return uses;
}
