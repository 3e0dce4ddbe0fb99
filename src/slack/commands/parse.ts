/**
 * The grammar of `/ecs-pull`: `why <task-arn> [lang:it] [cluster:…] [region:…] [account:…]`,
 * `service <CLUSTER/SERVICE | service-arn | console-url> [lang:it] [cluster:…] [region:…] [account:…]`, `check
 * <CLUSTER/SERVICE | service ARN> [FAMILY:REVISION | task definition ARN] [lang:it] [cluster:…] [region:…]
 * [account:…]`, `help`.
 */
import type { TargetOptions } from '../../aws/target.js';
import type { Language } from '../../config.js';
import type { Message } from '../../diagnosis/checks/types.js';
import { takeLangToken } from '../language.js';

export type ParsedCommand =
  | { kind: 'help'; lang?: Language }
  | { kind: 'why'; ref: string; opts: TargetOptions; lang?: Language }
  | { kind: 'service'; ref: string; opts: TargetOptions; lang?: Language }
  | { kind: 'check'; service: string; taskDefinition?: string; opts: TargetOptions; lang?: Language }
  | { kind: 'usage'; lang?: Language; reason?: Message };

const helpWords = new Set(['help', 'aiuto', '?', '-h', '--help']);
const whyWords = new Set(['why', 'perché', 'perche', 'diagnose']);
const serviceWords = new Set(['service', 'servizio']);
const checkWords = new Set(['check', 'controlla', 'preflight', 'pre-flight']);
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
  if (checkWords.has(first)) return parseCheck(rest.slice(1), withLang);
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
      reason: { key: kind === 'service' ? 'errors.service.empty' : 'errors.target.empty' },
    };
  const opts: TargetOptions = {};
  for (const w of extra) {
    const option = optionOf(w);
    if (!option) {
      return {
        kind: 'usage',
        ...withLang,
        reason: { key: 'slack:usage.extra', params: { word: w.slice(0, 40) } },
      };
    }
    opts[option.key] = option.value;
  }
  return { kind, ref, opts, ...withLang };
}

/** `cluster:NAME`, `region:REGION`, `account:ID` (or with `=`); undefined for anything else. */
function optionOf(word: string): { key: keyof TargetOptions; value: string } | undefined {
  const m = /^([a-z]+)[:=](\S+)$/i.exec(word);
  const key = m?.[1]?.toLowerCase();
  if (!m || !key || !optionKeys.has(key)) return undefined;
  return { key: key as keyof TargetOptions, value: m[2]! };
}

/** `check <service> [task definition] [cluster:…] [region:…] [account:…]`. */
function parseCheck(args: string[], withLang: { lang?: Language }): ParsedCommand {
  const positional: string[] = [];
  const opts: TargetOptions = {};
  for (const w of args) {
    // A service or task definition ARN carries colons too: only a known option word is an option.
    const option = /^arn:/i.test(w) ? undefined : optionOf(w);
    if (option) opts[option.key] = option.value;
    else positional.push(w);
  }
  const [service, taskDefinition, ...extra] = positional;
  if (!service) return { kind: 'usage', ...withLang, reason: { key: 'errors.service.empty' } };
  if (extra.length)
    return {
      kind: 'usage',
      ...withLang,
      reason: { key: 'slack:usage.check-extra', params: { word: extra[0]!.slice(0, 40) } },
    };
  return { kind: 'check', service, ...(taskDefinition ? { taskDefinition } : {}), opts, ...withLang };
}
