import colors from 'picocolors';
import { shortDigest } from '../core/plan.js';

export { shortDigest };

/** 1536 → `1.5 KiB`; binary units, as registries bill storage in GiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatTime(date: Date | undefined): string {
  return date === undefined ? '—' : date.toISOString().slice(0, 16).replace('T', ' ');
}

export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}

/** Colours only when a person reads a terminal; picocolors honours NO_COLOR and FORCE_COLOR. */
export function palette(enabled: boolean) {
  return colors.createColors(enabled);
}
