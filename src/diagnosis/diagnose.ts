/**
 * The pipeline: context → facts → checks → verdict → Report. `diagnose` talks to AWS; `evaluate` is pure and
 * is what replay and the demo run on saved facts.
 */
import type { ClientPool } from '../aws/clients.js';
import { classifyAwsError, type FactError } from '../aws/errors.js';
import type { TaskTarget } from '../aws/target.js';
import { UserError } from '../errors.js';
import { CHANGE_DEFAULTS, planChanges } from './changes.js';
import { allChecks, factsNeeded } from './checks/index.js';
import type { Check } from './checks/types.js';
import { evaluate } from './evaluate.js';
import { contextFactNames, providers as defaultProviders } from './facts/index.js';
import { type FactProvider, FactSession, type SharedCallCache } from './facts/session.js';
import type { DiagnosisInputs, DiagnosisSettings, EventTask } from './facts/types.js';
import { notAPullFailure } from './not-a-pull.js';
import { REPORT_SCHEMA, type Report, type SavedFacts } from './report.js';

export interface DiagnoseRequest {
  target: TaskTarget;
  event?: EventTask | undefined;
  service?: string | undefined;
  /** Who asked (CLI user, Slack user): goes into the role session name. */
  requester: string;
}

export interface DiagnoseDeps {
  pool: ClientPool;
  /** Provider settings; defaults: no public registry probing, reach only configured accounts. */
  settings?: Partial<DiagnosisSettings>;
  deadlineMs: number;
  checks?: readonly Check[];
  providers?: ReadonlyMap<string, FactProvider>;
  sharedCache?: SharedCallCache;
  /** Bypass cached answers (Re-run after someone fixed something). */
  fresh?: boolean;
  signal?: AbortSignal;
  onCheckError?: (checkId: string, err: unknown) => void;
}

/** Maps a failure to read the task into the error the user sees (what went wrong, what to provide). */
function taskError(error: FactError, target: TaskTarget): UserError {
  const where = {
    cluster: target.cluster,
    region: target.region,
    account: target.account ?? '—',
    id: target.taskId,
  };
  if (error.code === 'TaskMissing') return new UserError('errors.task.missing', where, 3);
  if (error.code === 'ClusterNotFoundException') return new UserError('errors.task.no-cluster', where, 3);
  if (error.kind === 'denied') {
    return new UserError('errors.task.denied', { ...where, action: error.action ?? 'ecs:DescribeTasks' }, 3);
  }
  return new UserError('errors.task.unreadable', { ...where, code: error.code, message: error.message }, 3);
}

/**
 * A fact session for one request (a diagnosis, a pre-flight) with the settings' defaults, its credentials ready:
 * throws UserError when the account may not be read or its role cannot be assumed.
 */
export async function openSession(
  inputs: Omit<DiagnosisInputs, 'settings'>,
  deps: DiagnoseDeps,
  opts: { learnAccount?: boolean } = {},
): Promise<FactSession> {
  const { target } = inputs;
  const session = new FactSession({
    pool: deps.pool,
    providers: deps.providers ?? defaultProviders,
    inputs: {
      ...inputs,
      settings: {
        probePublicRegistries: false,
        probeTimeoutMs: 2_000,
        registryAllow: deps.pool.registryAllowList(),
        canReachAccount: (account) => deps.pool.canReach(account, target.partition),
        mayRead: () => true,
        ...deps.settings,
      },
    },
    deadlineMs: deps.deadlineMs,
    signal: deps.signal,
    sharedCache: deps.sharedCache,
    fresh: deps.fresh,
  });
  try {
    await session.prepare(opts);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const e = classifyAwsError(err, 'sts:AssumeRole');
    throw new UserError(
      'errors.account.assume-failed',
      { account: target.account ?? '—', code: e.code, message: e.message.slice(0, 200) },
      3,
    );
  }
  return session;
}

/** Runs a live diagnosis. Throws UserError when the task cannot be found or read at all. */
export async function diagnose(
  req: DiagnoseRequest,
  deps: DiagnoseDeps,
): Promise<{ report: Report; saved: SavedFacts }> {
  const checks = deps.checks ?? allChecks;
  const session = await openSession(
    { target: req.target, event: req.event, service: req.service, requester: req.requester },
    deps,
  );
  // The context first; every fact a check reads depends on the task, so starting them once it is known costs no
  // round, and a task that did not fail to pull (still running, exited, stopped on purpose) needs none of them.
  const context = session.gatherAll(contextFactNames);
  const task = await session.fact('ecs.task');
  if (!task.ok) {
    await context;
    throw taskError(task.error, req.target);
  }
  const pulls = !notAPullFailure(task.value.task);
  await Promise.all([context, pulls ? session.gatherAll(factsNeeded(checks)) : undefined]);
  const savedNow = (): SavedFacts => ({
    kind: 'ecs-pull-facts',
    schema: REPORT_SCHEMA,
    savedAt: new Date().toISOString(),
    target: req.target,
    inputs: { ...(req.service ? { service: req.service } : {}), ...(req.event ? { event: true } : {}) },
    facts: session.snapshot(),
    calls: [...session.calls].sort((a, b) => a.round - b.round || a.startMs - b.startMs),
    wallMs: session.elapsedMs(),
    deadlineExceeded: session.signal.aborted && !deps.signal?.aborted,
  });
  const identityCenter = (account: string) => deps.pool.identityCenterFor(account);
  const opts = { checks, onCheckError: deps.onCheckError, identityCenter };
  let saved = savedNow();
  let report = await evaluate(saved, opts);
  // What changed: the resources behind the failing and warning checks, looked up in CloudTrail in one more round.
  const plan = planChanges(
    {
      context: report.context,
      checks: report.checks,
      causes: report.causes,
      facts: saved.facts,
      after: [...contextFactNames, ...factsNeeded(checks)],
    },
    session.inputs.settings.changes ?? CHANGE_DEFAULTS,
  );
  if (plan) {
    session.inputs.changes = plan;
    await session.fact('cloudtrail.changes');
    saved = savedNow();
    report = await evaluate(saved, opts);
  }
  return { report, saved };
}
