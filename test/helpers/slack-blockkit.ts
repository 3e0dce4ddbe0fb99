/**
 * An independent check of a Slack message against Block Kit's published limits (no offline validator exists).
 * The numbers are written out here on purpose, not imported from the renderer, so that a wrong constant there
 * cannot hide a violation.
 */

type Json = Record<string, unknown>;

const BLOCK_TYPES = new Set(['header', 'section', 'context', 'actions', 'context_actions', 'divider']);

function textObject(o: unknown, where: string, max: number, out: string[], plainOnly = false): void {
  if (!o || typeof o !== 'object') {
    out.push(`${where}: missing text object`);
    return;
  }
  const t = o as Json;
  if (t.type !== 'mrkdwn' && t.type !== 'plain_text') out.push(`${where}: text type ${String(t.type)}`);
  if (plainOnly && t.type !== 'plain_text') out.push(`${where}: must be plain_text`);
  if (typeof t.text !== 'string' || t.text.length === 0) out.push(`${where}: empty text`);
  else if (t.text.length > max) out.push(`${where}: text ${t.text.length} > ${max}`);
  if (typeof t.text === 'string' && t.type === 'mrkdwn') {
    // Slack's control characters must be escaped except in its own markup (<@U…>, <!date…>, <url|label>).
    const stray = t.text.replace(/<(?:[@#!][^<>]*|https?:\/\/[^<>]*)>/g, '');
    if (/[<>]/.test(stray)) out.push(`${where}: unescaped < or >`);
    if (/&(?!amp;|lt;|gt;)/.test(t.text)) out.push(`${where}: unescaped &`);
    if ((t.text.split('```').length - 1) % 2 === 1) out.push(`${where}: unbalanced code fence`);
  }
}

/**
 * Where blocks go: a message (top-level text, 50 blocks), a Home tab view (100 blocks, no top-level text), or one
 * link's unfurl (its blocks under the message, 50 at most, no text of its own).
 */
export type Surface = 'message' | 'home' | 'unfurl';

const MAX_BLOCKS: Record<Surface, number> = { message: 50, home: 100, unfurl: 50 };

/** Every limit the message breaks; empty when it is valid. */
export function blockKitViolations(
  msg: { text?: unknown; blocks?: unknown },
  surface: Surface = 'message',
): string[] {
  const out: string[] = [];
  if (surface === 'message') {
    if (typeof msg.text !== 'string' || msg.text.trim() === '') out.push('top-level text missing');
    else if (msg.text.length > 4000) out.push(`top-level text ${msg.text.length} > 4000`);
  }
  const blocks = Array.isArray(msg.blocks) ? (msg.blocks as Json[]) : [];
  if (!Array.isArray(msg.blocks)) out.push('blocks missing');
  else if (!blocks.length) out.push('no blocks');
  const max = MAX_BLOCKS[surface];
  if (blocks.length > max) out.push(`${blocks.length} blocks > ${max}`);
  const actionIds = new Set<string>();
  blocks.forEach((b, i) => {
    const where = `block ${i} (${String(b.type)})`;
    if (!BLOCK_TYPES.has(String(b.type))) out.push(`${where}: unexpected type`);
    if (b.block_id !== undefined && (typeof b.block_id !== 'string' || b.block_id.length > 255))
      out.push(`${where}: block_id`);
    switch (b.type) {
      case 'header':
        textObject(b.text, where, 150, out, true);
        break;
      case 'section': {
        if (b.text === undefined && b.fields === undefined) out.push(`${where}: neither text nor fields`);
        if (b.text !== undefined) textObject(b.text, where, 3000, out);
        if (b.fields !== undefined) {
          const fields = b.fields as unknown[];
          if (fields.length > 10) out.push(`${where}: ${fields.length} fields > 10`);
          for (const [j, f] of fields.entries()) textObject(f, `${where} field ${j}`, 2000, out);
        }
        break;
      }
      case 'context': {
        const els = (b.elements as unknown[]) ?? [];
        if (els.length === 0) out.push(`${where}: no elements`);
        if (els.length > 10) out.push(`${where}: ${els.length} elements > 10`);
        for (const [j, e] of els.entries()) textObject(e, `${where} element ${j}`, 3000, out);
        break;
      }
      case 'actions': {
        const els = (b.elements as Json[]) ?? [];
        if (els.length === 0) out.push(`${where}: no elements`);
        if (els.length > 25) out.push(`${where}: ${els.length} elements > 25`);
        els.forEach((e, j) => {
          const w = `${where} button ${j}`;
          if (e.type !== 'button') out.push(`${w}: not a button`);
          textObject(e.text, w, 75, out, true);
          const id = e.action_id;
          if (typeof id !== 'string' || id.length === 0 || id.length > 255) out.push(`${w}: action_id`);
          else if (actionIds.has(id)) out.push(`${w}: duplicate action_id ${id}`);
          else actionIds.add(id);
          if (e.url !== undefined) {
            if (typeof e.url !== 'string' || e.url.length > 3000) out.push(`${w}: url length`);
            else if (!/^https:\/\//.test(e.url)) out.push(`${w}: url not https`);
          }
          if (e.value !== undefined && (typeof e.value !== 'string' || e.value.length > 2000))
            out.push(`${w}: value length`);
        });
        break;
      }
      case 'context_actions': {
        // Feedback buttons (and icon buttons): at most 5 elements; each button's text plain, 75 characters.
        const els = (b.elements as Json[]) ?? [];
        if (els.length === 0) out.push(`${where}: no elements`);
        if (els.length > 5) out.push(`${where}: ${els.length} elements > 5`);
        els.forEach((e, j) => {
          const w = `${where} element ${j}`;
          if (e.type !== 'feedback_buttons') out.push(`${w}: not feedback_buttons`);
          const id = e.action_id;
          if (typeof id !== 'string' || id.length === 0 || id.length > 255) out.push(`${w}: action_id`);
          else if (actionIds.has(id)) out.push(`${w}: duplicate action_id ${id}`);
          else actionIds.add(id);
          for (const side of ['positive_button', 'negative_button']) {
            const btn = e[side] as Json | undefined;
            if (!btn) {
              out.push(`${w}: ${side} missing`);
              continue;
            }
            textObject(btn.text, `${w} ${side}`, 75, out, true);
            if (typeof btn.value !== 'string' || btn.value.length === 0 || btn.value.length > 2000)
              out.push(`${w} ${side}: value length`);
            if (
              btn.accessibility_label !== undefined &&
              (typeof btn.accessibility_label !== 'string' || btn.accessibility_label.length > 75)
            )
              out.push(`${w} ${side}: accessibility_label`);
          }
        });
        break;
      }
      default:
        break;
    }
  });
  return out;
}

/** A Home tab view for views.publish: type home, at most 100 valid blocks, private_metadata within 3,000. */
export function homeViewViolations(view: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (view.type !== 'home') out.push(`view type ${String(view.type)}, not home`);
  for (const k of ['title', 'submit', 'close'])
    if (view[k] !== undefined) out.push(`a home view has no ${k}`);
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000)
    out.push('private_metadata > 3000');
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) out.push('callback_id > 255');
  return [...out, ...blockKitViolations({ blocks: view.blocks }, 'home')];
}

/** chat.unfurl's map: each URL to an unfurl whose blocks are valid (or a legacy attachment with text). */
export function unfurlViolations(unfurls: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [url, u] of Object.entries(unfurls)) {
    if (!/^https?:\/\//.test(url)) out.push(`${url}: not a URL`);
    if (!u || typeof u !== 'object') {
      out.push(`${url}: not an unfurl`);
      continue;
    }
    const unfurl = u as Json;
    if (unfurl.blocks !== undefined)
      out.push(...blockKitViolations({ blocks: unfurl.blocks }, 'unfurl').map((v) => `${url}: ${v}`));
    else if (typeof unfurl.text !== 'string' && typeof unfurl.title !== 'string')
      out.push(`${url}: neither blocks nor text`);
  }
  return out;
}

/** The value of the first button with this action id in a message's actions blocks; undefined when there is none. */
export function buttonValue(blocks: unknown[] | undefined, actionId: string): string | undefined {
  for (const b of (blocks ?? []) as Array<{
    type?: string;
    elements?: Array<{ action_id?: string; value?: string }>;
  }>) {
    if (b.type !== 'actions') continue;
    const e = b.elements?.find((x) => x.action_id === actionId);
    if (e?.value) return e.value;
  }
  return undefined;
}

/** buttonValue, for a button the message must have. */
export function requiredButtonValue(blocks: unknown[] | undefined, actionId: string): string {
  const v = buttonValue(blocks, actionId);
  if (v === undefined) throw new Error(`no ${actionId} button`);
  return v;
}
