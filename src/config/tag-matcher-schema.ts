import { z } from 'zod';
import { isRecord } from './record.js';
import { saidAs } from './wording.js';

const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'u');
      return true;
    } catch {
      return false;
    }
  },
  { error: (issue) => `is not a valid regular expression: ${compileError(String(issue.input))}` },
);

function compileError(source: string): string {
  try {
    new RegExp(source, 'u');
    return 'unknown error';
  } catch (error) {
    return (error as Error).message;
  }
}

export const globList = z.array(z.string().min(1, { message: 'a pattern cannot be empty' }));

const tagMatcherWords =
  '`sha` (commit hashes), `tag` (releases: v…), a list of prefixes such as [v, release-], ' +
  'or a mapping of prefixes, globs, regex and exclude';
/** Tags by prefix set, prefix list, or any of prefixes, globs and regular expressions, minus exclusions. */
export const tagMatcher = z.union(
  [
    z.enum(['sha', 'tag']),
    z
      .array(z.string().min(1, { message: 'a prefix cannot be empty' }))
      .min(1, { message: 'must list at least one prefix' }),
    z
      .strictObject({
        prefixes: z.array(z.string().min(1, { message: 'a prefix cannot be empty' })).optional(),
        globs: globList.optional(),
        regex: z.union([regexSource, z.array(regexSource)]).optional(),
        exclude: globList.optional(),
      })
      // Each check reads what is there even when another field is mistyped, so that all are reported.
      .refine((matcher) => [matcher.prefixes, matcher.globs, matcher.regex].some(givesSomething), {
        message: 'matches no tag: give prefixes, globs or regex',
        when: (payload) => isRecord(payload.value),
      })
      .refine(
        (matcher) =>
          !(Array.isArray(matcher.exclude) && matcher.exclude.some((glob) => glob === '*' || glob === '**')),
        {
          message: 'excludes every tag, so the rule would match nothing',
          path: ['exclude'],
          when: (payload) => isRecord(payload.value),
        },
      ),
  ],
  { error: saidAs(tagMatcherWords) },
);

/** A field given with something in it; a mistyped one counts, as its own problem is reported. */
function givesSomething(field: unknown): boolean {
  return field !== undefined && !(Array.isArray(field) && field.length === 0);
}
