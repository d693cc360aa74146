const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const pattern = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** `90s`, `30m`, `1h`, `1.5h`, `7d` → milliseconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = pattern.exec(text.trim());
  if (match === null) return undefined;
  const [, amount, unit] = match;
  return Number(amount) * (units[unit as string] as number);
}

/** Milliseconds → the largest whole unit that fits, for messages: 3600000 → `1h`. */
export function formatDuration(milliseconds: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = units[unit] as number;
    if (milliseconds >= size && milliseconds % size === 0) return `${milliseconds / size}${unit}`;
  }
  return `${milliseconds}ms`;
}
