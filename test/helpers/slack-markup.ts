/** Hostile Slack markup, and how to find markup that would reach a person in what the bot posts. */
import type { SlackMessage } from '../../src/render/blockkit.js';

/** What a hostile image name, stop reason or alert could carry. */
export const PAYLOADS = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U0VICTIM1>',
  '<#C0OTHER01>',
  '<!subteam^S0ONCALL1>',
  '<https://evil.example/x|Open AWS console>',
  '<mailto:a@evil.example|support>',
  '&lt;!channel&gt;',
  '<!date^1764320000^{date}|x>',
];
export const PAYLOAD = PAYLOADS.join(' ');

/** Every string Slack reads as mrkdwn: the top-level text, mrkdwn text objects, section fields, context. */
export function mrkdwnStrings(msg: SlackMessage): string[] {
  const out = [msg.text];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      for (const x of Object.values(o)) walk(x);
    }
  };
  walk(msg.blocks);
  return out;
}

/** The one mention the bot writes itself: who asked (a user id from Slack's own payload). */
const ASKER = '<@U0ASKER01>';

/** Markup that would reach a person: any `<…>` but the bot's own console and Slack links and the asker's mention. */
export function liveMarkup(text: string): string[] {
  return [...text.matchAll(/<([^>]*)>?/g)]
    .map((m) => m[0])
    .filter(
      (m) =>
        m !== ASKER &&
        // The bot's own date token (every reader sees the time in their zone), with an escaped fallback.
        !/^<!date\^\d{9,11}\^\{date_short_pretty\} \{time\}\|[^<>|]*>$/.test(m) &&
        !/^<https:\/\/([a-z0-9-]+\.)*(console\.aws\.amazon\.com|amazonaws\.cn|amazonaws-us-gov\.com|awsapps\.com|slack\.com)\/[^\s|<>]*\|[^<>|]*>$/.test(
          m,
        ),
    );
}
