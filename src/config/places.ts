import { type Document, isMap, isScalar, isSeq, type LineCounter } from 'yaml';
import type { ConfigProblem } from './errors.js';

/** `['rules', 0, 'keep']` → `rules[0].keep`, as problems name their field. */
export function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** `rules[0].keep` → `['rules', 0, 'keep']`. */
function pathSegments(text: string): (string | number)[] {
  return [...text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) =>
    match[2] === undefined ? (match[1] as string) : Number(match[2]),
  );
}

/**
 * The problems in the order of their place in the file, each with its line: the line of its field,
 * or for a field that is missing, of the mapping that lacks it. Problems of the file as a whole
 * (a missing `registry:`) have no line and come first.
 */
export function placed(
  problems: readonly ConfigProblem[],
  document: Document,
  lines: LineCounter,
): ConfigProblem[] {
  return problems
    .map((problem) => ({ problem, offset: offsetOf(document, pathSegments(problem.path)) }))
    .sort((left, right) => (left.offset ?? -1) - (right.offset ?? -1))
    .map(({ problem, offset }) =>
      offset === undefined ? problem : { ...problem, line: lines.linePos(offset).line },
    );
}

/** Where the field at `path` starts: its key in a mapping, its item in a list. */
function offsetOf(document: Document, path: readonly (string | number)[]): number | undefined {
  let node: unknown = document.contents;
  let offset: number | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === segment);
      if (pair === undefined) return offset;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      offset = (node as { range?: [number, number, number] }).range?.[0] ?? offset;
    } else return offset;
  }
  return offset;
}
