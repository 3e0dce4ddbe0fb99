/** The check registry and the runner that turns missing facts into `unknown` results. */
import type { ConsoleLinks } from '../../aws/console-links.js';
import type { TaskContext } from '../context.js';
import type { Fact, FactName } from '../facts/types.js';
import { identityChecks } from './identity/index.js';
import { networkChecks } from './network/index.js';
import { type Check, type CheckResult, FactReader, FactUnavailable } from './types.js';

/** Every check, in display order. */
export const allChecks: readonly Check[] = [...networkChecks, ...identityChecks];

/** The union of facts the given checks read. */
export function factsNeeded(checks: readonly Check[]): FactName[] {
  return [...new Set(checks.flatMap((c) => c.needs))];
}

/** Runs each check; a missing fact makes that one check `unknown`, a bug in a check too (never the report). */
export function runChecks(
  checks: readonly Check[],
  context: TaskContext,
  facts: Readonly<Record<string, Fact<unknown>>>,
  links: ConsoleLinks,
  onError: (checkId: string, err: unknown) => void = () => {},
): Promise<CheckResult[]> {
  const reader = new FactReader(facts);
  return Promise.all(
    checks.map(async (check): Promise<CheckResult> => {
      try {
        return await check.run({ context, facts: reader, links });
      } catch (err) {
        if (err instanceof FactUnavailable) {
          return {
            id: check.id,
            status: 'unknown',
            message: {
              key: `common:unknown.${err.error.kind}`,
              params: { fact: err.fact, action: err.error.action ?? '', code: err.error.code },
            },
            evidence: [],
            links: [],
            missing: { fact: err.fact, error: err.error },
          };
        }
        onError(check.id, err);
        return {
          id: check.id,
          status: 'unknown',
          message: {
            key: 'common:unknown.internal',
            params: { message: String((err as Error)?.message ?? err) },
          },
          evidence: [],
          links: [],
        };
      }
    }),
  );
}
