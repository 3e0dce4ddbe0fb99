/**
 * Where ECS tasks are named without an ARN: console task URLs and `task/CLUSTER/ID`. One implementation for the
 * alert reader (slack/alert.ts), which searches a whole message, and for parseTaskTarget (target.ts), which reads
 * one pasted reference: the ECS console's task URL in either layout (…/ecs/v2/clusters/C/tasks/ID/…?region=R, and
 * the older …/ecs/home?region=R#/clusters/C/tasks/ID/…), the IAM Identity Center shortcut to one
 * (…awsapps.com/start/#/console?account_id=A&destination=URL), and `task/CLUSTER/ID`. Every scan runs in linear time:
 * the alert reader runs them on any app message in any channel the bot is in.
 */
import { isConsoleUrl, isPortalUrl } from './console-links.js';
import { regionPattern } from './partition.js';

/** An ECS task id: 32 hex digits (new format) or a UUID (old format). */
export const taskIdSource = '(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
/** An ECS cluster name. */
export const clusterSource = '[A-Za-z0-9_-]{1,255}';

/** `task/CLUSTER/ID` not inside an ARN. */
const shortRefPattern = new RegExp(
  `(?<![:/\\w-])task/(${clusterSource})/(${taskIdSource})(?![0-9a-f-])`,
  'g',
);
/** Console URLs: …/ecs/v2/clusters/CLUSTER/tasks/ID/…?region=REGION (and the older #/clusters/… form). */
const consoleTaskHead = new RegExp(`clusters/(${clusterSource})/tasks/(${taskIdSource})(?![0-9a-f-])`, 'g');
/** The region parameter that ends a console task URL; what follows `region=` must be a region-like word. */
const regionParam = /[?&]region=([a-z0-9-]+)/g;

/** Every `task/CLUSTER/ID` of the text that is not part of an ARN, in order. */
export function shortTaskRefs(text: string): Array<{ cluster: string; id: string }> {
  return [...text.matchAll(shortRefPattern)].map((m) => ({ cluster: m[1]!, id: m[2]! }));
}

/**
 * Console task URLs: cluster, task id and the `region=` parameter after them in the same run of non-space text.
 * What `clusters/(C)/tasks/(ID)(?![0-9a-f-])[^\s]*?[?&]region=([a-z0-9-]+)` matched, with `g`, in linear time: that
 * pattern's lazy scan restarted from every task path of a long field without spaces (quadratic); here the next
 * space and the next region parameter are each looked up once and reused while they lie ahead.
 */
export function consoleTaskRefs(text: string): Array<{ cluster: string; id: string; region: string }> {
  const out: Array<{ cluster: string; id: string; region: string }> = [];
  let space = { from: -1, at: -1 };
  let param = { from: -1, at: -1, end: -1, region: '' };
  const nextSpace = (from: number) => {
    if (!(space.from >= 0 && space.from <= from && (space.at < 0 || from <= space.at))) {
      const m = /\s/g;
      m.lastIndex = from;
      space = { from, at: m.exec(text)?.index ?? -1 };
    }
    return space.at;
  };
  const nextParam = (from: number) => {
    if (!(param.from >= 0 && param.from <= from && (param.at < 0 || from <= param.at))) {
      regionParam.lastIndex = from;
      const m = regionParam.exec(text);
      param = m
        ? { from, at: m.index, end: m.index + m[0].length, region: m[1]! }
        : { from, at: -1, end: -1, region: '' };
    }
    return param;
  };
  consoleTaskHead.lastIndex = 0;
  for (let m = consoleTaskHead.exec(text); m; m = consoleTaskHead.exec(text)) {
    const after = m.index + m[0].length;
    const p = nextParam(after);
    const ws = nextSpace(after);
    if (p.at >= 0 && (ws < 0 || p.at < ws)) {
      out.push({ cluster: m[1]!, id: m[2]!, region: p.region });
      consoleTaskHead.lastIndex = p.end;
    } else {
      // No region in this URL: like the regex, try again from the next character.
      consoleTaskHead.lastIndex = m.index + 1;
    }
  }
  return out;
}

/** A task named by a console URL: its region when the URL names one, its account when a portal shortcut does. */
export interface ConsoleTaskLink {
  cluster: string;
  id: string;
  region: string | undefined;
  account: string | undefined;
}

/** The region in a console host name (eu-west-1.console.aws.amazon.com). */
const hostRegion = /^([a-z0-9-]+)\.console\./;

/**
 * The task one URL opens: an ECS console task page (either layout, any region) or an IAM Identity Center shortcut
 * whose destination is one. Undefined for anything else. The URL's parts are read with URL and handed to the
 * scanner above as path, fragment, then query, so that both layouts end with the query that names the region.
 */
export function consoleTaskLink(url: string): ConsoleTaskLink | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (isPortalUrl(url)) {
    // https://my-org.awsapps.com/start/#/console?account_id=…&role_name=…&destination=…
    const q = u.hash.indexOf('?');
    const params = new URLSearchParams(q < 0 ? '' : u.hash.slice(q + 1));
    const destination = params.get('destination');
    const inner = destination && isConsoleUrl(destination) ? consoleTaskLink(destination) : undefined;
    if (!inner) return undefined;
    const account = params.get('account_id') ?? '';
    return /^\d{12}$/.test(account) ? { ...inner, account } : inner;
  }
  if (!isConsoleUrl(url)) return undefined;
  const path = `${u.pathname}${u.hash}`.replace(/\s/g, '');
  const [named] = consoleTaskRefs(`${path}${u.search}`);
  if (named && regionPattern.test(named.region)) return { ...named, account: undefined };
  // No region parameter: the host's own region, if it names one (else the caller's default).
  const region = hostRegion.exec(u.hostname)?.[1];
  const [bare] = consoleTaskRefs(`${path}?region=${region ?? 'none'}`);
  if (!bare) return undefined;
  return {
    cluster: bare.cluster,
    id: bare.id,
    region: region && regionPattern.test(region) ? region : undefined,
    account: undefined,
  };
}
