/**
 * The grammar of `/ecs-pull`: `why <task-arn> [lang:it] [cluster:…] [region:…] [account:…]`,
 * `service <CLUSTER/SERVICE | service-arn | console-url> [lang:it] [cluster:…] [region:…] [account:…]`, `help`.
 */
import type { TargetOptions } from '../../aws/target.js';
import type { Language } from '../../config.js';
import type { Message } from '../../diagnosis/checks/types.js';
import { takeLangToken } from '../language.js';

export type ParsedCommand =
  | { kind: 'help'; lang?: Language }
  | { kind: 'why'; ref: string; opts: TargetOptions; lang?: Language }
  | { kind: 'service'; ref: string; opts: TargetOptions; lang?: Language }
  | { kind: 'usage'; lang?: Language; reason?: Message };

const helpWords = new Set(['help', 'aiuto', '?', '-h', '--help']);
const whyWords = new Set(['why', 'perché', 'perche', 'diagnose']);
const serviceWords = new Set(['service', 'servizio']);
const optionKeys = new Set(['cluster', 'region', 'account']);

/** Parses the text after the command name. Never throws. */
export function parseCommandText(text: string): ParsedCommand {
  const words = (text ?? '').trim().split(/\s+/).filter(Boolean);
  const { lang, bad, rest } = takeLangToken(words);
  const withLang = lang ? { lang } : {};
  if (bad !== undefined)
    return { kind: 'usage', ...withLang, reason: { key: 'errors.lang', params: { value: bad } } };
  const first = rest[0]?.toLowerCase();
  if (first === undefined || helpWords.has(first)) return { kind: 'help', ...withLang };
  let args: string[];
  // A pasted service ARN alone is a service, as a pasted task ARN is a task.
  const kind =
    serviceWords.has(first) || (/^<?arn:/i.test(first) && /:service\//i.test(first)) ? 'service' : 'why';
  if (whyWords.has(first) || serviceWords.has(first)) args = rest.slice(1);
  else if (/^<?arn:/i.test(rest[0]!)) args = rest;
  else
    return {
      kind: 'usage',
      ...withLang,
      reason: { key: 'slack:usage.unknown', params: { word: rest[0]!.slice(0, 40) } },
    };
  const [ref, ...extra] = args;
  if (!ref)
    return {
      kind: 'usage',
      ...withLang,
      reason: { key: kind === 'service' ? 'service:errors.target.empty' : 'errors.target.empty' },
    };
  const opts: TargetOptions = {};
  for (const w of extra) {
    const m = /^([a-z]+)[:=](\S+)$/i.exec(w);
    const key = m?.[1]?.toLowerCase();
    if (!m || !key || !optionKeys.has(key)) {
      return {
        kind: 'usage',
        ...withLang,
        reason: { key: 'slack:usage.extra', params: { word: w.slice(0, 40) } },
      };
    }
    opts[key as keyof TargetOptions] = m[2];
  }
  return { kind, ref, opts, ...withLang };
}
