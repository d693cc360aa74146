export interface ConfigProblem {
  /** Where in the file, e.g. `rules[0].keep`; empty for the file as a whole. */
  readonly path: string;
  readonly message: string;
  /** The line of the field in the file (1-based), or of the mapping that lacks it. */
  readonly line?: number;
}

/** A config the tool refuses to run with, naming the file and every field that is wrong. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(`cannot run with ${source}:\n${problems.map(problemText).join('\n')}`);
  }
}

/** `  - line 12, rules[0].keep: must be …`, an example in the message indented under it. */
function problemText(problem: ConfigProblem): string {
  const where = [problem.line === undefined ? '' : `line ${problem.line}`, problem.path]
    .filter((part) => part !== '')
    .join(', ');
  return `  - ${where ? `${where}: ` : ''}${problem.message.replaceAll('\n', '\n      ')}`;
}
