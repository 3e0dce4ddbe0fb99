/**
 * The protocol of the buttons on a reply: their action ids and the value the Re-run and language buttons carry (the
 * stored reply state's key, the layout, the language and, while they fit, the task ARNs).
 */
import type { Language } from '../config.js';
import { LIMITS } from '../render/blockkit.js';

export const ACTION_RERUN = 'ecs_pull_rerun';
export const ACTION_LANG = 'ecs_pull_lang';
/** URL buttons: Slack still sends a block_actions payload, acked by a listener matching this prefix. */
export const ACTION_LINK_PREFIX = 'ecs_pull_link';

/** Value carried by the Re-run and language buttons. */
export interface ActionValue {
  /** State key. */
  k: string;
  /** Layout. */
  l: 'c' | 't';
  /** Language of the message as rendered (Re-run keeps it); for the language button, the one to switch to. */
  g: Language;
  /** ARNs (as many as fit). */
  a: string[];
}

/** The JSON a button carries, with as many ARNs as fit in a button value. */
export function encodeActionValue(v: ActionValue): string {
  const arns: string[] = [];
  for (const a of v.a) {
    const next = JSON.stringify({ ...v, a: [...arns, a] });
    if (next.length > LIMITS.buttonValue) break;
    arns.push(a);
  }
  return JSON.stringify({ ...v, a: arns });
}

/** Parses a button value; undefined when it is not one of ours. */
export function decodeActionValue(raw: string | undefined): ActionValue | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<ActionValue>;
    if (typeof v.k !== 'string' || (v.l !== 'c' && v.l !== 't') || (v.g !== 'en' && v.g !== 'it')) return;
    const arns = Array.isArray(v.a) ? v.a.filter((x): x is string => typeof x === 'string') : [];
    return { k: v.k, l: v.l, g: v.g, a: arns };
  } catch {
    return undefined;
  }
}

/** The Diagnose button of an unfurled console link: it posts the full report in that message's thread. */
export const ACTION_UNFURL_DIAGNOSE = 'ecs_pull_unfurl_diagnose';

/** Value carried by the Diagnose button of an unfurl. */
export interface UnfurlValue {
  /** The task ARN (the click is checked against the channel it comes from, whatever this says). */
  a: string;
  /** The stored reply state of the unfurl's diagnosis, when there is one (posted as is while it lasts). */
  k?: string | undefined;
  /** The language the unfurl was rendered in. */
  g: Language;
}

export function encodeUnfurlValue(v: UnfurlValue): string {
  return JSON.stringify(v.k ? { a: v.a, k: v.k, g: v.g } : { a: v.a, g: v.g });
}

export function decodeUnfurlValue(raw: string | undefined): UnfurlValue | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<UnfurlValue>;
    if (typeof v.a !== 'string' || !v.a.startsWith('arn:') || (v.g !== 'en' && v.g !== 'it'))
      return undefined;
    return { a: v.a, g: v.g, ...(typeof v.k === 'string' ? { k: v.k } : {}) };
  } catch {
    return undefined;
  }
}
