/**
 * Block Kit for ecs-pull's messages: the element types it builds, Slack's limits, text helpers that stay within them
 * (escaping, cutting on a safe boundary, folding lists), and fitMessage, the last pass that enforces every limit on
 * a whole message.
 */

/** Block Kit limits (Slack's reference), enforced by fitMessage. */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonUrl: 3000,
  buttonValue: 2000,
  contextActionsElements: 5,
  actionId: 255,
  blockId: 255,
  /** Top-level `text`: Slack accepts far more, notifications show a line; kept short on purpose. */
  messageText: 3000,
} as const;

export interface TextObject {
  type: 'mrkdwn' | 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface ButtonElement {
  type: 'button';
  text: TextObject;
  action_id: string;
  url?: string;
  value?: string;
  style?: 'primary' | 'danger';
}
export type Block =
  | { type: 'header'; text: TextObject; block_id?: string }
  | { type: 'section'; text?: TextObject; fields?: TextObject[]; block_id?: string }
  | { type: 'context'; elements: TextObject[]; block_id?: string }
  | { type: 'actions'; elements: ButtonElement[]; block_id?: string }
  | { type: 'context_actions'; elements: FeedbackButtonsElement[]; block_id?: string }
  | { type: 'divider'; block_id?: string };

/** Slack's 👍 / 👎 pair (inside a context_actions block). */
export interface FeedbackButtonsElement {
  type: 'feedback_buttons';
  action_id: string;
  positive_button: FeedbackButton;
  negative_button: FeedbackButton;
}
export interface FeedbackButton {
  text: TextObject;
  accessibility_label?: string;
  value: string;
}

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

// ---------------------------------------------------------------------------------------------------------------
// Text helpers

/** Escapes Slack's control characters in mrkdwn text. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts text to at most max UTF-16 units, ending with "…", never inside a surrogate pair, an HTML entity
 * (&amp;), a Slack mention (<@U…>) or an open ``` block (which would swallow the rest of the message).
 */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return '…'.slice(0, max);
  let cut = max - 1;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  let out = s.slice(0, cut);
  const amp = out.lastIndexOf('&');
  if (amp >= 0 && amp > out.length - 6 && !out.slice(amp).includes(';')) out = out.slice(0, amp);
  const lt = out.lastIndexOf('<');
  if (lt >= 0 && !out.slice(lt).includes('>')) out = out.slice(0, lt);
  const fences = out.split('```').length - 1;
  if (fences % 2 === 1) {
    if (out.length + 4 <= max) return `${out}…\`\`\``;
    out = out.slice(0, out.lastIndexOf('```'));
  }
  return `${out}…`;
}

/**
 * Joins lines up to max characters; lines that do not fit are dropped and counted in a last line given by
 * more(n) (which is always kept within max).
 */
export function joinLines(lines: string[], max: number, more: (n: number) => string): string {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const sep = out.length ? 1 : 0;
    const rest = lines.length - i - 1;
    const tail = rest > 0 ? more(rest).length + 1 : 0;
    if (used + sep + line.length + tail <= max) {
      out.push(line);
      used += sep + line.length;
      continue;
    }
    // This line does not fit whole: cut it if it is the only one, else fold it and the rest.
    if (out.length === 0) {
      const room = max - (rest > 0 ? more(rest).length + 1 : 0);
      if (room > 20) {
        out.push(clip(line, room));
        if (rest > 0) out.push(more(rest));
        return out.join('\n');
      }
    }
    out.push(more(lines.length - i));
    return clip(out.join('\n'), max);
  }
  return out.join('\n');
}

export const mrkdwn = (text: string): TextObject => ({ type: 'mrkdwn', text });
export const plain = (text: string): TextObject => ({ type: 'plain_text', text, emoji: true });

export function section(text: string): Block {
  return { type: 'section', text: mrkdwn(clip(text, LIMITS.sectionText)) };
}
export function context(...texts: string[]): Block {
  return {
    type: 'context',
    elements: texts
      .filter((x) => x.length > 0)
      .slice(0, LIMITS.contextElements)
      .map((x) => mrkdwn(clip(x, LIMITS.contextText))),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Limits

function fitText(o: TextObject, max: number): TextObject {
  return o.text.length > max ? { ...o, text: clip(o.text, max) } : o;
}

function fitBlock(b: Block): Block | undefined {
  const id = b.block_id ? { block_id: b.block_id.slice(0, LIMITS.blockId) } : {};
  switch (b.type) {
    case 'header':
      return { ...b, ...id, text: fitText({ ...b.text, type: 'plain_text' }, LIMITS.headerText) };
    case 'section': {
      const out: Block = { ...b, ...id };
      if (b.text) out.text = fitText(b.text, LIMITS.sectionText);
      if (b.fields)
        out.fields = b.fields.slice(0, LIMITS.sectionFields).map((f) => fitText(f, LIMITS.fieldText));
      if (!out.text && !out.fields?.length) return undefined;
      return out;
    }
    case 'context': {
      const elements = b.elements
        .filter((e) => e.text.length > 0)
        .slice(0, LIMITS.contextElements)
        .map((e) => fitText(e, LIMITS.contextText));
      return elements.length ? { ...b, ...id, elements } : undefined;
    }
    case 'actions': {
      const elements = b.elements
        .filter(
          (e) =>
            (e.url === undefined || e.url.length <= LIMITS.buttonUrl) &&
            (e.value ?? '').length <= LIMITS.buttonValue,
        )
        .slice(0, LIMITS.actionsElements)
        .map((e) => ({
          ...e,
          text: fitText({ ...e.text, type: 'plain_text' as const }, LIMITS.buttonText),
          action_id: e.action_id.slice(0, LIMITS.actionId),
        }));
      return elements.length ? { ...b, ...id, elements } : undefined;
    }
    case 'context_actions': {
      const fitButton = (f: FeedbackButton): FeedbackButton => ({
        ...f,
        text: fitText({ ...f.text, type: 'plain_text' as const }, LIMITS.buttonText),
        ...(f.accessibility_label
          ? { accessibility_label: clip(f.accessibility_label, LIMITS.buttonText) }
          : {}),
      });
      const elements = b.elements
        .filter(
          (e) =>
            e.positive_button.value.length <= LIMITS.buttonValue &&
            e.negative_button.value.length <= LIMITS.buttonValue,
        )
        .slice(0, LIMITS.contextActionsElements)
        .map((e) => ({
          ...e,
          action_id: e.action_id.slice(0, LIMITS.actionId),
          positive_button: fitButton(e.positive_button),
          negative_button: fitButton(e.negative_button),
        }));
      return elements.length ? { ...b, ...id, elements } : undefined;
    }
    default:
      return { ...b, ...id };
  }
}

/** The reply's closing blocks (Re-run and language buttons, feedback), kept when a message overflows. */
function isClosing(b: Block): boolean {
  return (b.type === 'actions' && b.block_id === 'ecs_pull_actions') || b.type === 'context_actions';
}

/**
 * Enforces every Block Kit limit on a message: texts and ids cut, lists shortened, empty blocks dropped, and past
 * 50 blocks the overflow folded into a context line while the closing blocks (Re-run and language, feedback) are
 * kept.
 */
export function fitMessage(msg: SlackMessage): SlackMessage {
  let blocks = msg.blocks.map(fitBlock).filter((b): b is Block => b !== undefined);
  if (blocks.length > LIMITS.blocks) {
    let tail = 0;
    while (tail < 2 && tail < blocks.length && isClosing(blocks[blocks.length - 1 - tail]!)) tail++;
    const kept = blocks.slice(blocks.length - tail);
    const room = LIMITS.blocks - 1 - tail;
    const dropped = blocks.length - room - tail;
    blocks = [...blocks.slice(0, room), { type: 'context', elements: [mrkdwn(`… +${dropped}`)] }, ...kept];
  }
  const text = clip(msg.text.trim() || '…', LIMITS.messageText);
  return { text, blocks };
}
