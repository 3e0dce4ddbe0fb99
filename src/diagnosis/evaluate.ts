/**
 * The pure half of the pipeline: facts → context → checks → verdict → Report. No AWS SDK imports, so replay
 * and the demo start fast and run anywhere.
 */
import { ConsoleLinks, type IdentityCenterLink } from '../aws/console-links.js';
import { UserError } from '../errors.js';
import { applyChanges, buildChanges } from './changes.js';
import { allChecks, runChecks } from './checks/index.js';
import type { Check } from './checks/types.js';
import { deriveContext } from './context.js';
import type { ChangesRecord } from './facts/cloudtrail.js';
import type { EniRecord } from './facts/ec2.js';
import type { ServiceRecord, TaskDefinitionRecord, TaskFact } from './facts/ecs.js';
import type { Fact } from './facts/types.js';
import { notAPullFailure } from './not-a-pull.js';
import { callStats, REPORT_SCHEMA, type Report, type SavedFacts } from './report.js';
import { decide } from './verdict.js';

/** Computes the report from gathered facts: no I/O. */
export async function evaluate(
  saved: SavedFacts,
  opts: {
    checks?: readonly Check[];
    replayedFrom?: string;
    onCheckError?: (id: string, err: unknown) => void;
    /** The IAM Identity Center portal console links of an account open through (none: plain console links). */
    identityCenter?: (account: string) => IdentityCenterLink | undefined;
  } = {},
): Promise<Report> {
  const f = saved.facts;
  const context = deriveContext(saved.target, {
    task: f['ecs.task'] as Fact<TaskFact>,
    taskDefinition: f['ecs.taskDefinition'] as Fact<TaskDefinitionRecord> | undefined,
    eni: f['ec2.taskEni'] as Fact<EniRecord> | undefined,
    service: f['ecs.service'] as Fact<ServiceRecord> | undefined,
  });
  const links = new ConsoleLinks(context.partition, context.region, context.account, opts.identityCenter);
  // A task that did not fail to pull gets no pull checks: nothing they found could be the answer.
  const run = notAPullFailure(context) ? [] : (opts.checks ?? allChecks);
  const checks = await runChecks(run, context, f, links, opts.onCheckError);
  const { causes, verdict } = decide(context, checks);
  // What changed on the resources behind the problems (gathered after the checks, when there were any).
  const trail = f['cloudtrail.changes'] as Fact<ChangesRecord> | undefined;
  const changes = trail?.ok && run.length ? buildChanges(trail.value, context, checks, links) : undefined;
  applyChanges(causes, changes);
  const report: Report = {
    schema: REPORT_SCHEMA,
    kind: 'ecs-pull-report',
    generatedAt: new Date().toISOString(),
    target: saved.target,
    context,
    checks,
    causes,
    verdict,
    aws: callStats(saved.calls, saved.wallMs, saved.deadlineExceeded),
  };
  if (changes) report.changes = changes;
  if (opts.replayedFrom) report.replayedFrom = opts.replayedFrom;
  return report;
}

/** Validates a saved-facts file's shape enough to replay it; throws UserError('errors.replay.*'). */
export function parseSavedFacts(text: string, file: string): SavedFacts {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError('errors.replay.not-json', { file, reason: (err as Error).message.slice(0, 120) });
  }
  const v = value as Partial<SavedFacts>;
  if (v?.kind !== 'ecs-pull-facts' || typeof v.facts !== 'object' || !v.target) {
    throw new UserError('errors.replay.not-facts', { file });
  }
  if (v.schema !== REPORT_SCHEMA)
    throw new UserError('errors.replay.schema', { file, schema: String(v.schema) });
  const task = v.facts['ecs.task'] as Fact<unknown> | undefined;
  if (!task?.ok) throw new UserError('errors.replay.no-task', { file });
  return { calls: [], wallMs: 0, deadlineExceeded: false, inputs: {}, ...v } as SavedFacts;
}
