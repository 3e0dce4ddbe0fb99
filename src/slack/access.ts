/**
 * Who may ask about what: each channel may diagnose the accounts its configuration lists (slack.channels[C].
 * accounts), else slack.defaultAccounts, which is empty unless set: a channel nobody configured may diagnose
 * nothing. A direct message (an id starting with D) without an entry of its own uses slack.dm.accounts instead,
 * and a Workflow Builder step that names no channel to answer in uses slack.workflow.accounts (both empty unless
 * set). "*" means every account the configuration can reach. Checked before any AWS call, so that a channel
 * cannot read another team's account by pasting its ARN.
 */
import type { ClientPool } from '../aws/clients.js';
import type { Partition } from '../aws/partition.js';
import type { Config, Language } from '../config.js';
import type { Message } from '../diagnosis/checks/types.js';

/**
 * Where a workflow step without an answer channel asks from: not a channel id (those start with C, G or D), so
 * nothing configured for a channel applies to it, and its rate-limit bucket is shared by every such step.
 */
export const WORKFLOW_SCOPE = 'workflow';

/** True for a direct message conversation (the app's DM, or a DM between people where a link was posted). */
export function isDirectMessage(channel: string | undefined): boolean {
  return !!channel && /^D[A-Z0-9]+$/.test(channel);
}

/** Which setting decides what a channel may diagnose. */
export type AccessSource = 'channel' | 'dm' | 'workflow' | 'default';

export function accessSource(config: Config, channel: string | undefined): AccessSource {
  if (channel === WORKFLOW_SCOPE) return 'workflow';
  if (channel && config.slack.channels[channel]?.accounts) return 'channel';
  return isDirectMessage(channel) ? 'dm' : 'default';
}

/** The account list that applies in a channel (may contain "*"). */
export function channelAccounts(config: Config, channel: string | undefined): string[] {
  switch (accessSource(config, channel)) {
    case 'workflow':
      return config.slack.workflow.accounts;
    case 'channel':
      return config.slack.channels[channel!]!.accounts!;
    case 'dm':
      return config.slack.dm.accounts;
    default:
      return config.slack.defaultAccounts;
  }
}

/**
 * The account a reference that names none (a console URL outside the access portal) is read in: the one account
 * the channel may diagnose, when its list names exactly one. With several, or "*", none is implied.
 */
export function impliedAccount(config: Config, channel: string | undefined): string | undefined {
  const list = channelAccounts(config, channel);
  return list.length === 1 && list[0] !== '*' ? list[0] : undefined;
}

/** True when the channel may diagnose tasks of the account. */
export function mayDiagnose(
  config: Config,
  pool: Pick<ClientPool, 'canReach'>,
  channel: string | undefined,
  account: string | undefined,
  partition: Partition,
): boolean {
  if (!account) return false;
  const allowed = channelAccounts(config, channel);
  if (allowed.includes(account)) return true;
  return allowed.includes('*') && pool.canReach(account, partition);
}

/** Keys of the refusals below (a reply made only of refusals is one short line). */
export const refusalKeys: readonly string[] = [
  'slack:errors.not-allowed',
  'slack:errors.not-allowed-default',
  'slack:errors.not-allowed-dm',
  'slack:errors.not-allowed-workflow',
];

/**
 * The refusal for an account a channel may not diagnose, naming the setting an admin would change: the channel's
 * own list when it has one, else both that and slack.defaultAccounts (which is what applied).
 */
export function refusalMessage(
  config: Config,
  channel: string | undefined,
  account: string | undefined,
): Message {
  const params = { account: account ?? '—', channel: channel ?? 'C…' };
  switch (accessSource(config, channel)) {
    case 'channel':
      return { key: 'slack:errors.not-allowed', params };
    case 'dm':
      return { key: 'slack:errors.not-allowed-dm', params };
    case 'workflow':
      return { key: 'slack:errors.not-allowed-workflow', params: { account: params.account } };
    default:
      return { key: 'slack:errors.not-allowed-default', params };
  }
}

/** The language a channel's replies use: its own setting, else the configured default. */
export function channelLanguage(config: Config, channel: string | undefined): Language {
  return (channel ? config.slack.channels[channel]?.language : undefined) ?? config.defaultLanguage;
}

/** True for a person listed in slack.admins (their App Home shows the doctor summary). */
export function isAdmin(config: Config, user: string | undefined): boolean {
  return !!user && config.slack.admins.includes(user);
}

/** True when a message is an alert the bot should act on by itself (see slack.alertSources). */
export function isAlertSource(
  config: Config,
  msg: { bot_id?: string | undefined; app_id?: string | undefined },
  channel: string | undefined,
): boolean {
  const { botIds, appIds, channels } = config.slack.alertSources;
  // People never trigger automatic replies: only apps post alerts. They can still mention the bot.
  if (!msg.bot_id && !msg.app_id) return false;
  if (!botIds.length && !appIds.length && !channels.length) return false;
  if (channels.length && !(channel && channels.includes(channel))) return false;
  if (botIds.length || appIds.length) {
    return (!!msg.bot_id && botIds.includes(msg.bot_id)) || (!!msg.app_id && appIds.includes(msg.app_id));
  }
  return true;
}
