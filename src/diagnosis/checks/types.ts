/**
 * The unit of work: a check is a pure function over the gathered facts that returns a result carrying message
 * keys and parameters (never sentences), evidence and console links.
 */

import type { ConsoleLinks, LinkRef } from '../../aws/console-links.js';
import type { FactError } from '../../aws/errors.js';
import type { CauseId } from '../causes.js';
import type { FixCommand } from '../commands.js';
import type { TaskContext } from '../context.js';
import type { Fact, FactMap, FactName } from '../facts/types.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'unknown' | 'skip';

/** Statuses worst first: how results are folded, sorted and shown everywhere. */
export const STATUS_ORDER: readonly CheckStatus[] = ['fail', 'warn', 'unknown', 'pass', 'skip'];

/** Sorts results (or anything with a status) worst first; equal statuses keep their order. */
export function byWorstStatus(a: { status: CheckStatus }, b: { status: CheckStatus }): number {
  return STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status);
}

export type Params = Record<string, string | number | boolean | string[] | undefined>;

/** A message key with its interpolation parameters. */
export interface Message {
  key: string;
  params?: Params;
}

export interface CheckResult {
  id: string;
  status: CheckStatus;
  /**
   * The cause this result speaks to: its check's, or a more specific one its finding names (a secret whose KMS key
   * is disabled speaks to `kms`). Set by the runner when the check does not say.
   */
  cause?: CauseId | undefined;
  /** A skip that means "cannot tell" (no manifest, no size known): it neither confirms nor rules out the cause. */
  inconclusive?: boolean | undefined;
  /** One sentence: what was found. */
  message: Message;
  /** The resource ids and values looked at, each a message (`evidence.route`, {routeTableId, target}). */
  evidence: Message[];
  /** What to do about a fail/warn. */
  remediation?: Message | undefined;
  /** Console pages of the resources involved. */
  links: LinkRef[];
  /** For unknown: the fact that was missing and why (names the IAM action for a denial). */
  missing?: { fact: string; error: FactError } | undefined;
  /** For fail/warn: the AWS CLI commands that apply the remediation (set by the runner from the check's `commands`). */
  commands?: FixCommand[] | undefined;
}

/** What a check reads. */
export interface CheckInput {
  context: TaskContext;
  facts: FactReader;
  links: ConsoleLinks;
}

export interface Check {
  /** Stable id (JSON, tests, button values): network.route. The folder and file say it too: network/route.ts. */
  id: string;
  /** The cause a failing or warning result points at (a result may name a more specific one). */
  cause: CauseId;
  /**
   * Skips that mean "cannot tell" rather than "does not apply here" (their keys relative to the check, as given to
   * the result builders), or `every-skip`. Any other skip rules the cause out: no internet gateway route means the
   * public IP cannot matter.
   */
  cannotTell?: readonly string[] | 'every-skip' | undefined;
  /**
   * What it reads of the failed task itself: its stop reason and its containers' reasons, the availability zone it
   * ran in, its ENI's public IP. `needs`: without a task that ran it has nothing to say, so a pre-flight (no task
   * yet, context source `preflight`) reports it not applicable without running it. `refines`: it only words or
   * narrows its result by them and runs in a pre-flight too, where they are absent. Unset: it reads none of them
   * (test/unit/check-registry.test.ts holds every check to this).
   */
  failedTask?: 'needs' | 'refines' | undefined;
  /** Facts it reads: the gatherer fetches exactly the union of these. */
  needs: readonly FactName[];
  /** Pure: same facts, same result. May be async (policy evaluation is). */
  run(input: CheckInput): CheckResult | Promise<CheckResult>;
  /**
   * The AWS CLI commands that apply a failing or warning result's remediation, with the ids of the facts (pure,
   * like run). None when the remediation is not a change one command makes (rebuild an image, ask someone).
   */
  commands?(result: CheckResult, input: CheckInput): FixCommand[];
}

/** What a check declares besides its id, which its result builders carry. */
export type CheckSpec = Omit<Check, 'id'>;

/** Declares a check: its id comes from its result builders (results('network.route')), so it is written once. */
export function defineCheck(r: { id: string }, spec: CheckSpec): Check {
  return { id: r.id, ...spec };
}

/** Whether a skip result of the check means "cannot tell". */
export function isInconclusive(check: Pick<Check, 'id' | 'cannotTell'>, result: CheckResult): boolean {
  if (result.status !== 'skip' || !check.cannotTell) return false;
  if (check.cannotTell === 'every-skip') return true;
  const prefix = `${checkKeyPrefix(check.id)}.`;
  return check.cannotTell.some((k) => result.message.key === prefix + k);
}

/** Thrown by FactReader.get when a fact has no value; the runner turns it into an `unknown` result. */
export class FactUnavailable extends Error {
  constructor(
    readonly fact: string,
    readonly error: FactError,
  ) {
    super(`${fact}: ${error.kind} ${error.code}`);
    this.name = 'FactUnavailable';
  }
}

/** Read access to gathered facts for checks. */
export class FactReader {
  constructor(private readonly facts: Readonly<Record<string, Fact<unknown>>>) {}

  /** The fact's value; throws FactUnavailable (→ check `unknown`) when it could not be gathered. */
  get<K extends FactName>(name: K): FactMap[K] {
    const f = this.facts[name];
    if (!f)
      throw new FactUnavailable(name, {
        kind: 'error',
        code: 'NotGathered',
        message: `${name} was not gathered`,
      });
    if (!f.ok) throw new FactUnavailable(name, f.error);
    return f.value as FactMap[K];
  }

  /** The value, or undefined when the fact was not gathered, does not apply or names nothing; other errors throw. */
  optional<K extends FactName>(name: K): FactMap[K] | undefined {
    const f = this.facts[name];
    if (!f || (!f.ok && (f.error.kind === 'not-applicable' || f.error.kind === 'not-found')))
      return undefined;
    return this.get(name);
  }

  /** The raw fact (value or error), or undefined when it was not gathered. */
  raw<K extends FactName>(name: K): Fact<FactMap[K]> | undefined {
    return this.facts[name] as Fact<FactMap[K]> | undefined;
  }
}

type ResultExtras = Partial<Pick<CheckResult, 'evidence' | 'remediation' | 'links' | 'cause'>>;

function result(
  id: string,
  status: CheckStatus,
  key: string,
  params: Params,
  extras: ResultExtras,
): CheckResult {
  return {
    id,
    status,
    ...(extras.cause ? { cause: extras.cause } : {}),
    message: { key, params },
    evidence: extras.evidence ?? [],
    remediation: extras.remediation,
    links: extras.links ?? [],
  };
}

/** Messages without repeats (evidence lines gathered from several results), in first-seen order. */
export function uniqueMessages(messages: readonly Message[]): Message[] {
  const seen = new Set<string>();
  return messages.filter((m) => {
    const k = JSON.stringify(m);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Where a check's words live: the id's first segment is the locale namespace (one file per area, e.g.
 * locales/en/network.json), the rest is the key prefix. `network.route` → `network:route.`.
 */
export function checkKeyPrefix(id: string): string {
  const dot = id.indexOf('.');
  return `${id.slice(0, dot)}:${id.slice(dot + 1)}`;
}

/** Result builders bound to a check id; message keys are relative to the check's prefix (checkKeyPrefix). */
export function results(id: string) {
  const prefix = checkKeyPrefix(id);
  const k = (key: string) => `${prefix}.${key}`;
  return {
    id,
    pass: (key: string, params: Params = {}, extras: ResultExtras = {}) =>
      result(id, 'pass', k(key), params, extras),
    fail: (key: string, params: Params = {}, extras: ResultExtras = {}) =>
      result(id, 'fail', k(key), params, extras),
    warn: (key: string, params: Params = {}, extras: ResultExtras = {}) =>
      result(id, 'warn', k(key), params, extras),
    skip: (key: string, params: Params = {}, extras: ResultExtras = {}) =>
      result(id, 'skip', k(key), params, extras),
    unknown: (key: string, params: Params = {}, extras: ResultExtras = {}) =>
      result(id, 'unknown', k(key), params, extras),
    /** A remediation message: `<prefix>.fix.<key>`. */
    fix: (key: string, params: Params = {}): Message => ({ key: k(`fix.${key}`), params }),
    /** An evidence line: `<namespace>:evidence.<key>` (labels shared by the area's checks). */
    ev: (key: string, params: Params = {}): Message => ({
      key: `${prefix.split(':')[0]}:evidence.${key}`,
      params,
    }),
  };
}
