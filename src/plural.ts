/** `1 image`, `3 images`, `2 children`: a count as a person writes it. */
export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}
