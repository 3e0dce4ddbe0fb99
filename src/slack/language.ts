/**
 * The language of a reply: an explicit `lang:it` / `lang:en` wins, then the asking user's Slack locale
 * (users.info with include_locale, cached), then the channel's configured language, then the default. Replies
 * to alerts, read by a whole channel, use the channel's language.
 */
import type { WebClient } from '@slack/web-api';
import type { Config, Language } from '../config.js';
import { toLanguage } from '../i18n.js';
import type { Logger } from '../log.js';
import type { StateStore } from '../state/store.js';
import { channelLanguage } from './access.js';

const LOCALE_TTL_MS = 6 * 3600_000;

/** Splits `lang:xx` out of command words. `bad` holds an unsupported value so that it can be reported. */
export function takeLangToken(words: string[]): { lang?: Language; bad?: string; rest: string[] } {
  const rest: string[] = [];
  let lang: Language | undefined;
  let bad: string | undefined;
  for (const w of words) {
    const m = /^(?:lang|lingua|language)[:=](\S*)$/i.exec(w);
    if (!m) {
      rest.push(w);
      continue;
    }
    const l = toLanguage(m[1]);
    if (l) lang = l;
    else bad = m[1] ?? '';
  }
  return { ...(lang ? { lang } : {}), ...(bad !== undefined ? { bad } : {}), rest };
}

/** The user's Slack locale as a supported language; undefined when unknown or unsupported (cached either way). */
export async function userLanguage(
  client: WebClient,
  store: StateStore,
  user: string,
  log: Logger,
): Promise<Language | undefined> {
  const key = `locale:${user}`;
  const cached = await store.get<{ lang: Language | null }>(key);
  if (cached) return cached.lang ?? undefined;
  try {
    const r = await client.users.info({ user, include_locale: true });
    const lang = toLanguage(r.user?.locale) ?? null;
    await store.setIfAbsent(key, { lang }, LOCALE_TTL_MS);
    return lang ?? undefined;
  } catch (err) {
    // users:read missing or a transient error: fall back to the channel's language, do not fail the request.
    log.warn({ err: (err as Error).message, user }, 'users.info failed; using the channel language');
    return undefined;
  }
}

/** Resolves the language for a person's request. */
export async function requestLanguage(args: {
  explicit?: Language | undefined;
  client: WebClient;
  store: StateStore;
  log: Logger;
  config: Config;
  user: string | undefined;
  channel: string | undefined;
}): Promise<Language> {
  if (args.explicit) return args.explicit;
  const fromUser = args.user ? await userLanguage(args.client, args.store, args.user, args.log) : undefined;
  return fromUser ?? channelLanguage(args.config, args.channel);
}
