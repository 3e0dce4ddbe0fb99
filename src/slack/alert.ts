/**
 * Reads ECS task references out of Slack messages posted by alerting apps. Those apps rarely put anything in
 * `text`: AWS Chatbot / Amazon Q Developer and webhook formatters use attachments (title, text, fallback,
 * fields) and Block Kit (sections, fields, context, rich text), sometimes only `task/CLUSTER/ID` with the
 * account and region in a context line, sometimes the raw EventBridge event as JSON. Everything is flattened to
 * one text first, then searched.
 */
import { partitionOfRegion, regionPattern } from '../aws/partition.js';
import { parseTaskTarget, type TaskTarget } from '../aws/target.js';
import { clusterSource, consoleTaskRefs, shortTaskRefs, taskIdSource } from '../aws/task-links.js';
import { taskFromEventJson } from '../diagnosis/event.js';
import type { EventTask } from '../diagnosis/facts/types.js';

/** The parts of a Slack message (event payload, conversations.* item, shortcut payload) that are read. */
export interface SlackMessageLike {
  type?: string;
  subtype?: string;
  ts?: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  text?: string;
  attachments?: unknown[];
  blocks?: unknown[];
  metadata?: { event_type?: string; event_payload?: unknown };
}

/** A task an alert names, with the EventBridge event that carried it when there was one. */
export interface AlertTask {
  target: TaskTarget;
  event?: EventTask | undefined;
}

export interface AlertFindings {
  tasks: AlertTask[];
  /** Tasks named beyond the cap. */
  more: number;
}

/** Most tasks one message is diagnosed for; the rest are counted and named as "…and N more". */
export const MAX_TASKS_PER_ALERT = 8;
/**
 * Text beyond this is not searched (a pasted log dump must not stall the bot). More than Slack's 40,000 characters
 * of message text: attachments and blocks come on top of it.
 */
export const MAX_TEXT = 200_000;
const MAX_JSON_CANDIDATES = 20;
const MAX_DEPTH = 8;

/** Slack's three escaped characters in message text. */
export function unescapeSlack(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Slack's link markup `<url|label>` → `url label`; mentions and channel links keep their id. */
function unwrapLinks(s: string): string {
  return s.replace(/<([^<>|\s]+)(?:\|([^<>]*))?>/g, (_m, target: string, label?: string) =>
    label && label !== target ? `${target} ${label}` : target,
  );
}

/** Every piece of text of a Block Kit block (section, fields, context, header, rich_text, markdown, …). */
function blockTexts(block: unknown, out: string[], depth = 0): void {
  if (depth > MAX_DEPTH || !block || typeof block !== 'object') return;
  const b = block as Record<string, unknown>;
  const textOf = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object' && typeof (v as { text?: unknown }).text === 'string')
      out.push((v as { text: string }).text);
  };
  textOf(b.text);
  if (typeof b.url === 'string') out.push(b.url);
  if (Array.isArray(b.fields)) for (const f of b.fields) textOf(f);
  if (b.accessory) blockTexts(b.accessory, out, depth + 1);
  if (Array.isArray(b.elements)) for (const e of b.elements) blockTexts(e, out, depth + 1);
  if (b.type === 'code' && typeof b.code === 'string') out.push(b.code);
}

/** Every piece of text of a legacy attachment, including blocks nested in it. */
function attachmentTexts(att: unknown, out: string[]): void {
  if (!att || typeof att !== 'object') return;
  const a = att as Record<string, unknown>;
  for (const k of ['pretext', 'author_name', 'title', 'title_link', 'text', 'fallback', 'footer']) {
    if (typeof a[k] === 'string') out.push(a[k] as string);
  }
  if (Array.isArray(a.fields)) {
    for (const f of a.fields) {
      if (!f || typeof f !== 'object') continue;
      const { title, value } = f as { title?: unknown; value?: unknown };
      if (typeof title === 'string' && typeof value === 'string') out.push(`${title}: ${value}`);
      else if (typeof value === 'string') out.push(value);
    }
  }
  if (Array.isArray(a.blocks)) for (const b of a.blocks) blockTexts(b, out);
}

/**
 * One searchable text for a message: its text, its attachments and its blocks, with Slack's escaping and link
 * markup undone. Pieces are separated by newlines so that labels stay next to their values.
 */
export function flattenMessage(msg: SlackMessageLike): string {
  const out: string[] = [];
  if (typeof msg.text === 'string') out.push(msg.text);
  for (const a of msg.attachments ?? []) attachmentTexts(a, out);
  for (const b of msg.blocks ?? []) blockTexts(b, out);
  if (msg.metadata?.event_payload !== undefined) {
    try {
      out.push(JSON.stringify(msg.metadata.event_payload));
    } catch {
      // A payload that cannot be serialised has nothing to read.
    }
  }
  let text = '';
  for (const piece of out) {
    if (text.length >= MAX_TEXT) break;
    // Link markup uses literal <…>; escaped text uses entities: unwrap first, then unescape.
    text += `${unescapeSlack(unwrapLinks(piece))}\n`;
  }
  return text.slice(0, MAX_TEXT);
}

/** Balanced `{…}` spans of the text (strings respected), largest first so that a whole event wins over parts. */
export function jsonCandidates(text: string): string[] {
  const spans: string[] = [];
  let i = text.indexOf('{');
  while (i >= 0 && spans.length < MAX_JSON_CANDIDATES) {
    let depth = 0;
    let inString = false;
    let end = -1;
    for (let j = i; j < text.length; j++) {
      const ch = text[j];
      if (inString) {
        if (ch === '\\') j++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        if (depth === 0) {
          end = j;
          break;
        }
      }
    }
    if (end < 0) break;
    spans.push(text.slice(i, end + 1));
    i = text.indexOf('{', end + 1);
  }
  return spans;
}

/** Chat clients turn straight quotes into curly ones when people paste; JSON needs them straight. */
export function straightenQuotes(s: string): string {
  return s.replace(/[“”]/g, '"').replace(/[‘’]/g, "'");
}

/** Every ECS task event inside a parsed JSON value: SNS envelopes and JSON-in-strings are opened too. */
function eventsIn(value: unknown, out: EventTask[], depth = 0): void {
  if (depth > MAX_DEPTH || value == null) return;
  if (typeof value === 'string') {
    const s = value.trim();
    if ((s.startsWith('{') || s.startsWith('[')) && s.length < MAX_TEXT) {
      try {
        eventsIn(JSON.parse(s), out, depth + 1);
      } catch {
        // Not JSON after all.
      }
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value.slice(0, 50)) eventsIn(v, out, depth + 1);
    return;
  }
  if (typeof value !== 'object') return;
  const found = taskFromEventJson(value);
  if (found) {
    out.push(found);
    return;
  }
  for (const v of Object.values(value as Record<string, unknown>)) eventsIn(v, out, depth + 1);
}

const fullArnPattern = new RegExp(
  `arn:aws(?:-cn|-us-gov)?:ecs:[a-z0-9-]+:\\d{12}:task/(?:${clusterSource}/)?${taskIdSource}(?![0-9a-f-])`,
  'g',
);
export const accountLabelPattern = /\baccount(?:[\s_-]*id)?\s*[:=]\s*["'`*_]*(\d{12})\b/i;
export const regionLabelPattern = /\bregion\s*[:=]\s*["'`*_]*((?:[a-z]{2}|us-gov|cn)-[a-z]+-\d{1,2})\b/i;
export const clusterLabelPattern = /\bcluster(?:\s*name)?\s*[:=]\s*["'`*_]*([A-Za-z0-9_-]{1,255})/i;
export const clusterArnPattern =
  /arn:aws(?:-cn|-us-gov)?:ecs:[a-z0-9-]+:\d{12}:cluster\/([A-Za-z0-9_-]{1,255})/;

function tryTarget(ref: string, opts: { cluster?: string; region?: string; account?: string } = {}) {
  try {
    return parseTaskTarget(ref, opts);
  } catch {
    return undefined;
  }
}

/**
 * The ECS tasks a message names: EventBridge events in it (which also carry the task for when ECS no longer shows
 * it), full task ARNs, and `task/CLUSTER/ID` or console task URLs rebuilt into ARNs with the message's
 * `Account:` and `Region:` labels. Each task once, in order of appearance, at most MAX_TASKS_PER_ALERT.
 */
export function findTasks(text: string): AlertFindings {
  const byArn = new Map<string, AlertTask>();
  const order: string[] = [];
  const add = (target: TaskTarget | undefined, event?: EventTask) => {
    if (!target?.taskArn) return;
    const key = `${target.partition}:${target.region}:${target.account}:${target.taskId}`;
    const known = byArn.get(key);
    if (known) {
      if (event && !known.event) known.event = event;
      return;
    }
    byArn.set(key, { target, event });
    order.push(key);
  };

  // 1. Events (they carry the most: the whole task).
  const straight = straightenQuotes(text);
  const events: EventTask[] = [];
  for (const candidate of jsonCandidates(straight)) {
    try {
      eventsIn(JSON.parse(candidate), events);
    } catch {
      // A brace that does not start JSON.
    }
  }
  for (const ev of events) {
    const clusterName = clusterArnPattern.exec(ev.task.clusterArn ?? '')?.[1];
    add(tryTarget(ev.task.taskArn, clusterName ? { cluster: clusterName } : {}), ev);
  }

  // 2. Full ARNs (an old-format ARN needs its cluster from a label or a cluster ARN nearby).
  const labelledCluster = clusterLabelPattern.exec(text)?.[1] ?? clusterArnPattern.exec(text)?.[1];
  for (const m of text.matchAll(fullArnPattern)) {
    add(tryTarget(m[0], labelledCluster ? { cluster: labelledCluster } : {}));
  }

  // 3. task/CLUSTER/ID and console URLs, with the account and region the message names.
  const account = accountLabelPattern.exec(text)?.[1];
  const labelledRegion = regionLabelPattern.exec(text)?.[1];
  if (account) {
    for (const { cluster, id, region } of consoleTaskRefs(text)) {
      if (!regionPattern.test(region)) continue;
      add(tryTarget(`arn:${partitionOfRegion(region)}:ecs:${region}:${account}:task/${cluster}/${id}`));
    }
    if (labelledRegion) {
      const partition = partitionOfRegion(labelledRegion);
      for (const { cluster, id } of shortTaskRefs(text)) {
        add(tryTarget(`arn:${partition}:ecs:${labelledRegion}:${account}:task/${cluster}/${id}`));
      }
    }
  }

  const tasks = order.map((k) => byArn.get(k)!);
  return {
    tasks: tasks.slice(0, MAX_TASKS_PER_ALERT),
    more: Math.max(0, tasks.length - MAX_TASKS_PER_ALERT),
  };
}

/** The tasks a Slack message names (flattened first). */
export function findTasksInMessage(msg: SlackMessageLike): AlertFindings {
  return findTasks(flattenMessage(msg));
}

/**
 * What a message may contribute to a diagnosis. A configured alert source's EventBridge event carries the task
 * and is used when ECS no longer shows it. Anything else (a person's words, an app that is not a configured
 * source) may only name tasks: the events it holds are dropped, so that images, secrets, subnets and security
 * groups always come from AWS in the task's own account, never from JSON someone typed.
 */
export function namedTasksOnly(found: AlertFindings, fromAlertSource: boolean): AlertFindings {
  if (fromAlertSource) return found;
  return { ...found, tasks: found.tasks.map((t) => ({ target: t.target })) };
}
