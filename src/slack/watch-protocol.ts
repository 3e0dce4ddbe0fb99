/**
 * The Watch buttons' protocol: the Watch button under a report carries the reply's state key, the report's id and
 * the language; the Stop button on the watch's status message carries the report's id and the language.
 */
import type { Language } from '../config.js';

export const ACTION_WATCH = 'ecs_pull_watch';
export const ACTION_WATCH_STOP = 'ecs_pull_watch_stop';

export interface WatchValue {
  /** The reply state's key (the task to re-check and the report's failing checks). */
  k: string;
  /** The report's correlation id: one watch per report. */
  d: string;
  g: Language;
}

const ID = /^[A-Za-z0-9-]{1,64}$/;

function parse(raw: string | undefined): Record<string, unknown> | undefined {
  if (!raw || raw.length > 2000) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function encodeWatchValue(v: WatchValue): string {
  return JSON.stringify(v);
}

export function decodeWatchValue(raw: string | undefined): WatchValue | undefined {
  const v = parse(raw);
  if (!v || typeof v.k !== 'string' || !ID.test(v.k) || typeof v.d !== 'string' || !ID.test(v.d)) return;
  if (v.g !== 'en' && v.g !== 'it') return;
  return { k: v.k, d: v.d, g: v.g };
}

export function encodeStopValue(v: { d: string; g: Language }): string {
  return JSON.stringify(v);
}

export function decodeStopValue(raw: string | undefined): { d: string; g: Language } | undefined {
  const v = parse(raw);
  if (!v || typeof v.d !== 'string' || !ID.test(v.d) || (v.g !== 'en' && v.g !== 'it')) return;
  return { d: v.d, g: v.g };
}
