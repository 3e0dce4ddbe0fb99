/**
 * The App Home tab: what the bot does, its commands, which accounts the person's channels may diagnose (from the
 * configuration alone), the last diagnoses they asked for or were shown, and for admins the doctor summary.
 *
 * Each person's last diagnoses are kept in the state store (at most HISTORY_MAX, for HISTORY_TTL_MS): a report is
 * "shown" to someone when they asked for it (command, mention, shortcut, DM, an unfurl's Diagnose button), re-ran
 * it, switched its language or pressed Watch on it. The tab is published once per visit (app_home_opened, each
 * delivery once) and again when the history of someone who has opened it changes. The doctor summary is cached for
 * DOCTOR_TTL_MS and never holds a publish back for more than DOCTOR_WAIT_MS: past that the tab says it is being
 * checked, and the next visit shows it.
 */
import type { Message } from '../diagnosis/checks/types.js';
import { type DoctorRow, runDoctor } from '../doctor.js';
import { translator } from '../i18n.js';
import { type HomeAccess, type HomeDoctor, renderHome } from '../render/home-view.js';
import { channelAccounts, isAdmin } from './access.js';
import type { SlackDeps } from './deps.js';
import { userLanguage } from './language.js';
import { type Posted, permalink, type ReplyState, type SlackClient } from './reply.js';

/** Most diagnoses kept per person. */
export const HISTORY_MAX = 10;
/** How long a person's history is kept after its last change. */
export const HISTORY_TTL_MS = 30 * 24 * 3600_000;
/** How long a person counts as having opened the Home tab (their tab is republished when their history changes). */
export const HOME_OPENED_TTL_MS = 30 * 24 * 3600_000;
/** How long the list of a person's channels is reused. */
const CHANNELS_TTL_MS = 2 * 60_000;
/** Pages of users.conversations read at most (200 channels each). */
const MAX_CHANNEL_PAGES = 5;
/** How long the doctor summary is reused. */
export const DOCTOR_TTL_MS = 5 * 60_000;
/** Longest a publish waits for the doctor summary. */
export const DOCTOR_WAIT_MS = 2_000;

/** One diagnosis in a person's history. */
export interface ShownEntry {
  /** The report's id (its diagnosis' correlation id): the same report shown again replaces its entry. */
  id: string;
  taskId: string;
  cluster: string;
  account: string;
  region: string;
  /** The top cause's id; absent when the report named none. */
  cause?: string | undefined;
  summary?: Message | undefined;
  /** 0..1 */
  confidence?: number | undefined;
  /** The reply in its thread. */
  link?: string | undefined;
  /** When it was shown, epoch ms. */
  at: number;
}

/** The doctor summary of this replica: the last rows and when they were computed, and a run in progress. */
export interface DoctorCache {
  rows?: DoctorRow[];
  at?: number;
  running?: Promise<void> | undefined;
}

const historyKey = (user: string) => `home:history:${user}`;
const openedKey = (user: string) => `home:opened:${user}`;

/** The entries a reply's reports make (errors and refusals are not diagnoses to come back to). */
export function entriesOf(state: ReplyState, link: string | undefined, at: number): ShownEntry[] {
  const out: ShownEntry[] = [];
  for (const item of state.items) {
    if (item.kind === 'report') {
      const r = item.report;
      const top = r.causes[0];
      out.push({
        id: item.id ?? `${r.context.taskId}:${r.generatedAt}`,
        taskId: r.context.taskId,
        cluster: r.context.cluster,
        account: r.context.account,
        region: r.context.region,
        cause: top?.id,
        summary: top?.summary,
        confidence: top?.confidence,
        link,
        at,
      });
    } else if (item.kind === 'same') {
      const top = item.first.cause;
      out.push({
        id: `${item.ref}:${item.first.taskId}`,
        taskId: item.ref,
        cluster: item.where.cluster,
        account: item.where.account,
        region: item.where.region,
        cause: top?.id,
        summary: top?.summary,
        confidence: top?.confidence,
        link: link ?? item.first.link,
        at,
      });
    }
  }
  return out;
}

/** Newest first, one entry per report (the newest), at most HISTORY_MAX. */
export function mergeHistory(a: readonly ShownEntry[], b: readonly ShownEntry[]): ShownEntry[] {
  const byId = new Map<string, ShownEntry>();
  for (const e of [...a, ...b]) {
    const seen = byId.get(e.id);
    if (!seen || e.at > seen.at || (e.at === seen.at && !seen.link && e.link)) byId.set(e.id, e);
  }
  return [...byId.values()].sort((x, y) => y.at - x.at).slice(0, HISTORY_MAX);
}

const sameHistory = (a: readonly ShownEntry[], b: readonly ShownEntry[]) =>
  a.length === b.length && a.every((e, i) => e.id === b[i]!.id && e.at === b[i]!.at);

/** A person's history, newest first. */
export async function historyOf(deps: Pick<SlackDeps, 'store'>, user: string): Promise<ShownEntry[]> {
  return (await deps.store.get<ShownEntry[]>(historyKey(user))) ?? [];
}

/**
 * Adds entries to a person's history. Replicas may write at once: each write swaps the whole list atomically and
 * merges back whatever the swap replaced that it did not have, until nothing is lost. Then the person's Home tab
 * is published again if they have opened it.
 */
export async function rememberShown(
  deps: SlackDeps,
  client: SlackClient,
  user: string | undefined,
  entries: ShownEntry[],
): Promise<void> {
  if (!user || !entries.length) return;
  try {
    const key = historyKey(user);
    let mine = mergeHistory(entries, await historyOf(deps, user));
    // Each round writes a superset of what the last one replaced; it stops once nothing was lost (a handful of
    // rounds when several replicas write for one person at the same moment).
    for (let i = 0; i < 16; i++) {
      const replaced = (await deps.store.swap<ShownEntry[]>(key, mine, HISTORY_TTL_MS)) ?? [];
      const merged = mergeHistory(mine, replaced);
      if (sameHistory(merged, mine)) break;
      mine = merged;
    }
    if (await deps.store.get(openedKey(user))) {
      // The reply is out already: the tab follows in the background (awaited on shutdown).
      const work = publishHome(deps, client, user, { waitForDoctor: false }).catch((err: unknown) =>
        deps.log.warn({ err: (err as Error).message, user }, 'could not update the Home tab'),
      );
      deps.inflight.add(work);
      void work.finally(() => deps.inflight.delete(work));
    }
  } catch (err) {
    // The history is a convenience: never a reason for a reply to fail.
    deps.log.warn({ err: (err as Error).message, user }, 'could not record the diagnosis in the history');
  }
}

/** Records the reports of a reply (posted where `posted` says) as shown to `user`. */
export async function rememberReply(
  deps: SlackDeps,
  client: SlackClient,
  user: string | undefined,
  state: ReplyState,
  posted: Posted | undefined,
): Promise<void> {
  if (!user || !state.items.some((i) => i.kind === 'report' || i.kind === 'same')) return;
  const link = posted ? await permalink(deps, client, posted.channel, posted.ts) : undefined;
  await rememberShown(deps, client, user, entriesOf(state, link, deps.now()));
}

/** Marks that a person opened their Home tab (from then on it follows their history). */
export async function markHomeOpened(deps: SlackDeps, user: string): Promise<void> {
  await deps.store.swap(openedKey(user), 1, HOME_OPENED_TTL_MS);
}

/** The channels a person is in that the bot can see (public ones, and private ones the bot is in too). */
async function userChannels(
  deps: SlackDeps,
  client: SlackClient,
  user: string,
): Promise<{ ids: string[]; complete: boolean } | undefined> {
  const key = `home:channels:${user}`;
  const cached = await deps.store.get<{ ids: string[]; complete: boolean }>(key);
  if (cached) return cached;
  const ids: string[] = [];
  let cursor: string | undefined;
  let complete = false;
  try {
    for (let page = 0; page < MAX_CHANNEL_PAGES; page++) {
      const r = await client.users.conversations({
        user,
        types: 'public_channel,private_channel',
        exclude_archived: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      for (const c of r.channels ?? []) if (c.id) ids.push(c.id);
      cursor = r.response_metadata?.next_cursor || undefined;
      if (!cursor) {
        complete = true;
        break;
      }
    }
  } catch (err) {
    // channels:read or groups:read missing, or Slack unavailable: the tab says it could not list them.
    deps.log.warn({ err: (err as Error).message, user }, 'users.conversations failed; Home without channels');
    return undefined;
  }
  const out = { ids, complete };
  await deps.store.setIfAbsent(key, out, CHANNELS_TTL_MS);
  return out;
}

/**
 * Which accounts a person's channels may diagnose, from the configuration: each of their channels with an entry
 * of its own, how many of their channels fall back to slack.defaultAccounts, and what DMs may diagnose. Nothing
 * about channels they are not in.
 */
export function homeAccess(
  config: SlackDeps['config'],
  channels: { ids: string[]; complete: boolean } | undefined,
): HomeAccess {
  const own: HomeAccess['channels'] = [];
  let others = 0;
  for (const id of channels?.ids ?? []) {
    if (config.slack.channels[id]?.accounts) own.push({ id, accounts: channelAccounts(config, id) });
    else others++;
  }
  return {
    listed: channels !== undefined,
    complete: channels?.complete ?? false,
    channels: own,
    others,
    defaults: config.slack.defaultAccounts,
    dm: config.slack.dm.accounts,
  };
}

/** Account ids a configuration names for Slack (what doctor tries besides `accounts:`). */
function slackAccountIds(config: SlackDeps['config']): string[] {
  const s = config.slack;
  const lists = [
    s.defaultAccounts,
    s.dm.accounts,
    s.workflow.accounts,
    ...Object.values(s.channels).map((c) => c.accounts ?? []),
  ];
  return [...new Set(lists.flat().filter((a) => a !== '*'))];
}

/**
 * The doctor summary for an admin's tab: the cached rows while fresh, else a new run, waited for at most
 * `waitMs` (it keeps running to fill the cache for the next visit). One run at a time per replica.
 */
export async function doctorSummary(deps: SlackDeps, waitMs: number): Promise<HomeDoctor> {
  deps.doctor ??= {};
  const cache = deps.doctor;
  const fresh = () => cache.rows && cache.at !== undefined && deps.now() - cache.at < DOCTOR_TTL_MS;
  if (!fresh() && !cache.running) {
    const run = runDoctor({
      config: deps.config,
      pool: deps.pool,
      accounts: slackAccountIds(deps.config),
      region: 'us-east-1',
      inBot: true,
    })
      .then((rows) => {
        cache.rows = rows;
        cache.at = deps.now();
      })
      .catch((err: unknown) => deps.log.warn({ err: (err as Error).message }, 'doctor summary failed'))
      .finally(() => {
        cache.running = undefined;
      });
    cache.running = run;
    deps.inflight.add(run);
    void run.finally(() => deps.inflight.delete(run));
  }
  if (!fresh() && cache.running && waitMs > 0) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      cache.running,
      new Promise((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
  }
  if (cache.rows && cache.at !== undefined) return { rows: cache.rows, at: cache.at };
  return 'pending';
}

/** Builds and publishes a person's Home tab (views.publish). */
export async function publishHome(
  deps: SlackDeps,
  client: SlackClient,
  user: string,
  opts: { waitForDoctor: boolean },
): Promise<void> {
  const admin = isAdmin(deps.config, user);
  const [lang, channels, history, doctor] = await Promise.all([
    userLanguage(client, deps.store, user, deps.log),
    userChannels(deps, client, user),
    historyOf(deps, user),
    admin ? doctorSummary(deps, opts.waitForDoctor ? DOCTOR_WAIT_MS : 0) : Promise.resolve(undefined),
  ]);
  const language = lang ?? deps.config.defaultLanguage;
  const view = renderHome(
    {
      access: homeAccess(deps.config, channels),
      history,
      doctor,
      names: Object.fromEntries(
        Object.entries(deps.config.accounts).flatMap(([id, a]) => (a.name ? [[id, a.name]] : [])),
      ),
    },
    translator(language),
    language,
  );
  await client.views.publish({ user_id: user, view: view as never });
  deps.log.info({ user, blocks: view.blocks.length, admin }, 'Home tab published');
}
