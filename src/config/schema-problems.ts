import type { z } from 'zod';
import type { ConfigProblem } from './errors.js';
import { pathText } from './places.js';
import { unknownKeyProblems } from './unknown-keys.js';

/**
 * The schema's issues as problems a person reads: one per unknown key, and for a field that may
 * take several forms (`tags`: a word, a list or a mapping), the problems inside the form that was
 * written rather than "matches none of them".
 */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], input: unknown): ConfigProblem[] {
  return issues.flatMap((issue) => problemsOf(issue, [], input));
}

function problemsOf(
  issue: z.core.$ZodIssue,
  prefix: readonly PropertyKey[],
  input: unknown,
): ConfigProblem[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') return unknownKeyProblems({ ...issue, path }, input);
  if (issue.code === 'invalid_union') {
    const written = issue.errors.filter((option) => !option.every(isWrongForm));
    if (written.length === 1) return (written[0] ?? []).flatMap((inner) => problemsOf(inner, path, input));
  }
  return [{ path: pathText(path), message: issue.message }];
}

/** An option's issue that says only that the value is not of that option's form. */
function isWrongForm(issue: z.core.$ZodIssue): boolean {
  return issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
}
