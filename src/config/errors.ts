export interface ConfigProblem {
  /** Where in the file, e.g. `rules[0].keep`; empty for the file as a whole. */
  readonly path: string;
  readonly message: string;
}

/** A config the tool refuses to run with, naming the file and every field that is wrong. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `cannot run with ${source}:\n${problems.map((problem) => `  - ${problem.path ? `${problem.path}: ` : ''}${problem.message}`).join('\n')}`,
    );
  }
}
