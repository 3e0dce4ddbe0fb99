/**
 * The unit of work: a check is a pure function over the gathered facts that returns a result carrying message
 * keys and parameters (never sentences), evidence and console links.
 */

import type { ConsoleLinks, LinkRef } from '../../aws/console-links.js';
import type { FactError } from '../../aws/errors.js';
import type { TaskContext } from '../context.js';
import type { Fact, FactMap, FactName } from '../facts/types.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'unknown' | 'skip';

export type Params = Record<string, string | number | boolean | string[] | undefined>;

/** A message key with its interpolation parameters. */
export interface Message {
  key: string;
  params?: Params;
}

export interface CheckResult {
  id: string;
  status: CheckStatus;
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
}

/** What a check reads. */
export interface CheckInput {
  context: TaskContext;
  facts: FactReader;
  links: ConsoleLinks;
}

export interface Check {
  /** Stable id (JSON, tests, button values): network.route. */
  id: string;
  /** Facts it reads: the gatherer fetches exactly the union of these. */
  needs: readonly FactName[];
  /** Pure: same facts, same result. May be async (policy evaluation is). */
  run(input: CheckInput): CheckResult | Promise<CheckResult>;
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

type ResultExtras = Partial<Pick<CheckResult, 'evidence' | 'remediation' | 'links'>>;

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
    message: { key, params },
    evidence: extras.evidence ?? [],
    remediation: extras.remediation,
    links: extras.links ?? [],
  };
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
