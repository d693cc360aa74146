/**
 * HTML built from template literals in which every interpolated value is escaped unless it is
 * markup built the same way: tags, digests and error messages come from the registry, and a tag
 * such as `<script>` must show as text, never run.
 */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function html(strings: TemplateStringsArray, ...values: readonly unknown[]): Markup {
  let text = strings[0] ?? '';
  for (let index = 0; index < values.length; index += 1) {
    text += interpolate(values[index]) + (strings[index + 1] ?? '');
  }
  return new Markup(text);
}

/** Markup from many parts, for lists of rows. */
export function join(parts: readonly Markup[]): Markup {
  return new Markup(parts.map((part) => part.text).join(''));
}

function interpolate(value: unknown): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(interpolate).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

const entities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in text and in quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character] as string);
}
