/**
 * Tags, digests and error messages come from the registry: in Markdown they must read as text,
 * never as a table's column break, a link, emphasis, an HTML tag, an @-mention or an issue link.
 * Every ASCII punctuation character Markdown or GitHub gives a meaning to is escaped with a
 * backslash (CommonMark allows that for any ASCII punctuation), `<`, `>` and `&` become entities,
 * and a line break becomes a space, since every value sits inside a table row or a line.
 */
export function markdownText(value: string): string {
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]()#+!|~$@]/g, (character) => `\\${character}`)
    .replace(/[<>&]/g, (character) => entities[character] as string);
}

const entities: Readonly<Record<string, string>> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };

/** A digest in a code span when it is plainly one; anything stranger is escaped text instead. */
export function markdownCode(value: string): string {
  return /^[A-Za-z0-9+._:-]+$/.test(value) ? `\`${value}\`` : markdownText(value);
}

/**
 * A document that stays under a size: text is added while it fits, lists are cut with a note that
 * says how much was left out, and what did not fit at all is counted and named at the end.
 */
export class MarkdownBudget {
  private readonly parts: string[] = [];
  private used = 0;
  private omittedSections = 0;
  /** Room kept for the notes that say what was cut. */
  private readonly reserve: number;

  constructor(private readonly limitBytes: number) {
    this.reserve = Math.min(4_096, Math.floor(limitBytes / 4));
  }

  /** Adds a part if it fits; a part that does not is left out and counted. */
  add(part: string): void {
    if (!this.fits(part, this.reserve)) {
      this.omittedSections += 1;
      return;
    }
    this.push(part);
  }

  /** Adds rows while they fit, at most `most`, then one note saying how many were left out. */
  rows(rows: readonly string[], note: (left: number) => string, most = Number.POSITIVE_INFINITY): void {
    let index = 0;
    while (index < rows.length && index < most && this.fits(rows[index] as string, this.reserve)) {
      this.push(rows[index] as string);
      index += 1;
    }
    if (index < rows.length) this.note(note(rows.length - index));
  }

  /** Whether a new section (a heading and a few rows) still fits. */
  hasRoom(): boolean {
    return this.used + this.reserve + 1_024 <= this.limitBytes;
  }

  /** A whole section left out for want of room. */
  cut(): void {
    this.omittedSections += 1;
  }

  text(): string {
    if (this.omittedSections > 0) {
      this.note(
        `\n_${this.omittedSections} more ${this.omittedSections === 1 ? 'part is' : 'parts are'} not shown, to stay within GitHub's size limit: the HTML report (\`--html FILE\`) or \`--json\` shows everything._\n`,
      );
    }
    return this.parts.join('');
  }

  private note(part: string): void {
    if (this.fits(part, 0)) this.push(part);
  }

  private fits(part: string, reserve: number): boolean {
    return this.used + Buffer.byteLength(part) + reserve <= this.limitBytes;
  }

  private push(part: string): void {
    this.parts.push(part);
    this.used += Buffer.byteLength(part);
  }
}
