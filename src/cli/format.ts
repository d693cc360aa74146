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

export { plural } from '../plural.js';

/**
 * Colours when a person reads a terminal — unless NO_COLOR is set (no-color.org: present and not
 * empty), which wins; FORCE_COLOR asks for them on a pipe too.
 */
export function palette(enabled: boolean, environment: NodeJS.ProcessEnv = process.env) {
  if (environment.NO_COLOR) return colors.createColors(false);
  const forced = environment.FORCE_COLOR !== undefined && environment.FORCE_COLOR !== '0';
  return colors.createColors(enabled || forced);
}
