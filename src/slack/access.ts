/**
 * Who may ask about what: each channel may diagnose the accounts its configuration lists (slack.channels[C].
 * accounts), else slack.defaultAccounts, which is empty unless set: a channel nobody configured may diagnose
 * nothing. "*" means every account the configuration can reach. Checked before any AWS call, so that a channel
 * cannot read another team's account by pasting its ARN.
 */
import type { ClientPool } from '../aws/clients.js';
import type { Partition } from '../aws/partition.js';
import type { Config, Language } from '../config.js';
import type { Message } from '../diagnosis/checks/types.js';

/** The account list that applies in a channel (may contain "*"). */
export function channelAccounts(config: Config, channel: string | undefined): string[] {
  const own = channel ? config.slack.channels[channel]?.accounts : undefined;
  return own ?? config.slack.defaultAccounts;
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
  const where = channel ?? 'C…';
  const own = channel ? config.slack.channels[channel]?.accounts : undefined;
  return own
    ? { key: 'slack:errors.not-allowed', params: { account: account ?? '—', channel: where } }
    : { key: 'slack:errors.not-allowed-default', params: { account: account ?? '—', channel: where } };
}

/** The language a channel's replies use: its own setting, else the configured default. */
export function channelLanguage(config: Config, channel: string | undefined): Language {
  return (channel ? config.slack.channels[channel]?.language : undefined) ?? config.defaultLanguage;
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
