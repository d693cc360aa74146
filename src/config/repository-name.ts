/**
 * Repository names as the registries define them, checked before any request so that a typo reads
 * as a typo, not later as "repository not found". The OCI distribution spec (1.1, "Pulling
 * manifests") requires `<name>` to match
 * `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`; ECR's API reference
 * gives `repositoryName` the same pattern and a length of 2 to 256. A config entry may also be a
 * glob (`team-*`, `**`): its wildcards stand for anything, and only its literal parts are checked.
 */

/** The characters an entry may hold: a name's, and a glob's `* ? [ ] { } ,`. */
export const repositoryPatternCharacters = /^[a-z0-9*?{}[\],._\-/]+$/;

/** What is wrong with the characters of `entry`, in words. */
export function characterProblem(entry: string): string {
  if (entry === '') return 'a repository name cannot be empty';
  if (/[A-Z]/.test(entry))
    return `\`${entry}\`: repository names are lower case (\`${entry.toLowerCase()}\`)`;
  const stray = [...new Set([...entry].filter((character) => !repositoryPatternCharacters.test(character)))];
  return (
    `\`${entry}\`: ${stray.map((character) => JSON.stringify(character)).join(', ')} cannot be in a repository name ` +
    '(lower-case letters, digits, `.`, `_`, `-` and `/`; in a glob also `*`, `?`, `[…]`, `{…}`)'
  );
}

/** Length limits of a registry type's names, where its API states them. */
const nameLengths: Readonly<Record<string, { readonly shortest: number; readonly longest: number }>> = {
  ecr: { shortest: 2, longest: 256 },
};

/**
 * What is wrong with the structure of `entry` (a name or glob made of allowed characters), in
 * words, or undefined. `registryType` adds that registry's own limits.
 */
export function repositoryNameProblem(entry: string, registryType?: string): string | undefined {
  const problems = [...structureProblems(partsOf(entry), entry)];
  const lengths = registryType === undefined ? undefined : nameLengths[registryType];
  // A glob's length is the length of what it matches, so only a plain name is measured.
  if (problems.length === 0 && lengths !== undefined && !/[*?[{]/.test(entry)) {
    if (entry.length < lengths.shortest || entry.length > lengths.longest)
      problems.push(
        `${registryType?.toUpperCase()} repository names are ${lengths.shortest} to ${lengths.longest} characters long, this one is ${entry.length}`,
      );
  }
  return problems.length === 0 ? undefined : `\`${entry}\`: ${problems.join('; ')}`;
}

const wildcard = Symbol('wildcard');
type Piece = string | typeof wildcard;

function* structureProblems(parts: readonly Piece[][], entry: string): Generator<string> {
  if (entry.startsWith('/')) yield 'starts with a slash';
  if (entry.endsWith('/') && entry.length > 1) yield 'ends with a slash';
  if (entry.includes('//')) yield 'two slashes in a row';
  for (const [index, pieces] of parts.entries()) {
    const first = pieces[0];
    const last = pieces.at(-1);
    if (typeof first === 'string' && separators.test(first[0] ?? ''))
      yield index === 0
        ? `starts with \`${first[0]}\`: a name starts with a lower-case letter or a digit`
        : `\`${first[0]}\` right after a slash: each part of a name starts with a lower-case letter or a digit`;
    if (typeof last === 'string' && separators.test(last.at(-1) ?? ''))
      yield index === parts.length - 1
        ? `ends with \`${last.at(-1)}\`: a name ends with a lower-case letter or a digit`
        : `\`${last.at(-1)}\` right before a slash: each part of a name ends with a lower-case letter or a digit`;
    for (const piece of pieces) {
      if (piece === wildcard) continue;
      for (const run of piece.match(/[._-]+/g) ?? []) {
        const problem = separatorProblem(run);
        if (problem !== undefined) yield problem;
      }
    }
  }
}

const separators = /^[._-]$/;

const separatorRule = 'letters and digits are separated by one `.`, one or two `_`, or dashes';

/** Between two letters or digits stands one `.`, one or two `_`, or any number of `-`. */
function separatorProblem(run: string): string | undefined {
  const count = run.length === 2 ? 'two' : run.length === 3 ? 'three' : String(run.length);
  if (new Set(run).size > 1) return `\`${run}\` in a row: ${separatorRule}, not a mix`;
  if (run.startsWith('.') && run.length > 1) return `${count} dots in a row: ${separatorRule}`;
  if (run.startsWith('_') && run.length > 2) return `${count} underscores in a row: ${separatorRule}`;
  return undefined;
}

/**
 * The entry's parts between slashes, each a sequence of literal text and wildcards (`*`, `**`,
 * `?`, a `[…]` class, a `{…}` alternation), slashes inside brackets or braces not splitting it.
 */
function partsOf(entry: string): Piece[][] {
  const parts: Piece[][] = [[]];
  let depth = 0;
  let literal = '';
  const current = () => parts[parts.length - 1] as Piece[];
  const flush = () => {
    if (literal !== '') current().push(literal);
    literal = '';
  };
  for (const character of entry) {
    if (depth > 0) {
      if (character === '[' || character === '{') depth += 1;
      if (character === ']' || character === '}') depth -= 1;
      continue;
    }
    if (character === '/') {
      flush();
      parts.push([]);
    } else if ('*?[{'.includes(character)) {
      flush();
      if (current().at(-1) !== wildcard) current().push(wildcard);
      if (character === '[' || character === '{') depth += 1;
    } else literal += character;
  }
  flush();
  return parts;
}
