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

/** Every limit the message breaks; empty when it is valid. */
export function blockKitViolations(msg: { text?: unknown; blocks?: unknown }): string[] {
  const out: string[] = [];
  if (typeof msg.text !== 'string' || msg.text.trim() === '') out.push('top-level text missing');
  else if (msg.text.length > 4000) out.push(`top-level text ${msg.text.length} > 4000`);
  const blocks = Array.isArray(msg.blocks) ? (msg.blocks as Json[]) : [];
  if (!Array.isArray(msg.blocks)) out.push('blocks missing');
  if (blocks.length > 50) out.push(`${blocks.length} blocks > 50`);
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
