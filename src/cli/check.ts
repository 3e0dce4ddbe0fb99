/**
 * `ecs-pull check`: the pre-flight, a deploy gate. Would a task started now pull its images and start? With a
 * service (its network, its current task definition or a new one) or a task definition and a network. Exit code 4
 * when a check fails, 0 when every check passes or only warns; 2 bad input, 3 AWS could not be read.
 */
import type { Partition } from '../aws/partition.js';
import { partitionOfRegion, regionPattern } from '../aws/partition.js';
import {
  parseSecurityGroupIds,
  parseServiceTarget,
  parseSubnetIds,
  parseTaskDefinitionRef,
  type ServiceTarget,
  type TaskDefinitionRef,
} from '../aws/service-target.js';
import type { PlannedNetwork } from '../diagnosis/facts/types.js';
import type { PreflightRequest } from '../diagnosis/preflight.js';
import { isUserError, UserError } from '../errors.js';
import {
  type CommandContext,
  commandEnv,
  type GlobalOptions,
  laterLog,
  requestedLanguage,
  writeText,
} from './common.js';
import { cliAccess } from './why.js';

/** The exit code of a pre-flight that found a failing check: what a deploy pipeline stops on. */
export const EXIT_WOULD_FAIL = 4;

export interface CheckOptions extends GlobalOptions {
  service?: string;
  cluster?: string;
  taskDefinition?: string;
  subnets?: string;
  securityGroups?: string;
  assignPublicIp?: boolean;
  region?: string;
  account?: string;
  profile?: string;
  roleArn?: string;
  externalId?: string;
  json?: boolean;
  saveFacts?: string;
}

/** A pre-flight request as the options ask for it, before the region is known (it may come from the SDK). */
export interface CheckPlan {
  service: ServiceTarget | undefined;
  taskDefinition: TaskDefinitionRef | undefined;
  network: PlannedNetwork | undefined;
  region: string | undefined;
  account: string | undefined;
  partition: Partition | undefined;
  cluster: string | undefined;
}

/**
 * Validates the options into a plan; throws UserError for what does not go together: nothing to check, a network
 * half given, a network with a service (the service's own is checked), a task definition or service elsewhere.
 * `defaultRegion` is the region when neither a reference nor --region names one.
 */
export function checkPlan(opts: CheckOptions, defaultRegion?: string): CheckPlan {
  if (opts.region !== undefined && !regionPattern.test(opts.region))
    throw new UserError('errors.target.bad-region', { value: opts.region });
  if (!opts.service && !opts.taskDefinition) throw new UserError('errors.check.nothing');
  const td = opts.taskDefinition !== undefined ? parseTaskDefinitionRef(opts.taskDefinition) : undefined;
  const networkGiven =
    opts.subnets !== undefined || opts.securityGroups !== undefined || opts.assignPublicIp !== undefined;
  if (opts.service && networkGiven) throw new UserError('errors.check.service-and-network');
  let network: PlannedNetwork | undefined;
  if (!opts.service) {
    if (opts.subnets === undefined) throw new UserError('errors.check.no-network');
    if (opts.securityGroups === undefined) throw new UserError('errors.check.no-security-groups');
    network = {
      subnetIds: parseSubnetIds(opts.subnets),
      securityGroupIds: parseSecurityGroupIds(opts.securityGroups),
      assignPublicIp: opts.assignPublicIp ? 'ENABLED' : 'DISABLED',
    };
  }
  const service = opts.service
    ? parseServiceTarget(opts.service, {
        cluster: opts.cluster,
        region: opts.region ?? td?.region,
        account: opts.account,
        defaultRegion,
      })
    : undefined;
  if (opts.cluster !== undefined && !service && !/^[A-Za-z0-9_-]{1,255}$/.test(opts.cluster))
    throw new UserError('errors.target.bad-cluster', { value: opts.cluster });
  // Where the service (else the options) says the check is: a task definition ARN elsewhere is refused.
  const askedRegion = service?.region ?? opts.region;
  const askedAccount = service?.account ?? opts.account;
  if (opts.account !== undefined && !/^\d{12}$/.test(opts.account))
    throw new UserError('errors.target.bad-account', { value: opts.account });
  if (
    td?.region &&
    ((askedRegion && td.region !== askedRegion) || (askedAccount && td.account !== askedAccount))
  )
    throw new UserError('errors.check.task-definition-elsewhere', {
      taskDefinition: td.name,
      where: `${td.account}/${td.region}`,
      expected: `${askedAccount ?? '—'}/${askedRegion ?? '—'}`,
    });
  const region = askedRegion ?? td?.region ?? defaultRegion;
  const account = askedAccount ?? td?.account;
  return {
    service,
    taskDefinition: td,
    network,
    region,
    account,
    partition: service?.partition ?? td?.partition ?? (region ? partitionOfRegion(region) : undefined),
    cluster: service?.cluster ?? opts.cluster,
  };
}

/** The engine's request for a plan whose region is known. */
export function preflightRequest(plan: CheckPlan, requester: string): PreflightRequest {
  if (!plan.region) throw new UserError('errors.check.needs-region');
  return {
    account: plan.account,
    region: plan.region,
    partition: plan.partition ?? partitionOfRegion(plan.region),
    cluster: plan.cluster,
    service: plan.service?.service,
    taskDefinition: plan.taskDefinition?.name,
    network: plan.network,
    requester,
  };
}

/**
 * Runs `check`; ends with 4 when a check fails. The input is checked first (options, references, ids), then the
 * configuration is loaded, and only then the AWS SDK, a client at a time (src/aws/sdk.ts).
 */
export async function check(opts: CheckOptions, ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  // The input first: a mistake in it is said before the configuration, let alone the AWS SDK, is loaded.
  const asked = requestedLanguage(opts);
  if (asked) ctx.setLanguage(asked);
  const access = cliAccess(opts);
  const roleAccount = access.roleArn?.split(':')[4];
  const withRole = { ...opts, account: opts.account ?? roleAccount };
  let plan: CheckPlan;
  try {
    plan = checkPlan(withRole);
  } catch (err) {
    // No region in the references nor --region: the SDK's own (AWS_REGION, the profile's region).
    if (
      !isUserError(err) ||
      (err.key !== 'errors.service.needs-region' && err.key !== 'errors.check.needs-region')
    )
      throw err;
    const { defaultRegion } = await import('../aws/clients.js');
    plan = checkPlan(withRole, await defaultRegion(access.profile));
  }
  if (!plan.region) {
    const { defaultRegion } = await import('../aws/clients.js');
    plan = checkPlan(withRole, await defaultRegion(access.profile));
  }
  if (roleAccount && plan.account !== roleAccount)
    throw new UserError('errors.options.role-elsewhere', {
      role: access.roleArn!,
      roleAccount,
      account: plan.account ?? '?',
    });
  const req = preflightRequest(plan, `cli-${io.user()}`);
  const env = await commandEnv(opts, ctx);
  const [{ ClientPool }, { preflight }] = await Promise.all([
    import('../aws/clients.js'),
    import('../diagnosis/preflight.js'),
  ]);
  const later = await laterLog(env.config, () => ({
    command: 'check',
    account: req.account ?? null,
    region: req.region,
    service: req.service ?? null,
    taskDefinition: req.taskDefinition ?? null,
  }));
  const started = performance.now();
  const pool = new ClientPool(env.config, { cli: { ...access, ownAccount: true } });
  let result: Awaited<ReturnType<typeof preflight>>;
  try {
    result = await preflight(req, {
      pool,
      deadlineMs: env.config.aws.deadlineMs,
      settings: {
        probePublicRegistries: env.config.registries.probePublic,
        probeTimeoutMs: env.config.registries.probeTimeoutMs,
      },
      onCheckError: later.checkError,
    });
  } catch (err) {
    const ms = performance.now() - started;
    const { log, diagnosisLog } = await later.get();
    if (isUserError(err)) {
      diagnosisLog.logUserErrorAws(log, err);
      log.info({ outcome: 'user_error', ms: Math.round(ms), key: err.key }, 'pre-flight finished');
      throw err;
    }
    log.error({ outcome: 'internal_error', ms: Math.round(ms), err }, 'pre-flight finished');
    throw new UserError('errors.internal', { id: later.id }, 1);
  }
  const { report, saved } = result;
  const [{ log }, render] = await Promise.all([later.get(), import('../render/check-text.js')]);
  log.info(
    {
      outcome: report.verdict.outcome,
      failing: report.verdict.failing,
      calls: report.aws.callCount,
      rounds: report.aws.rounds,
      ms: Math.round(performance.now() - started),
    },
    'pre-flight finished',
  );
  if (opts.saveFacts) writeText(opts.saveFacts, `${JSON.stringify(saved, null, 2)}\n`);
  io.out(
    opts.json
      ? render.renderCheckJson(report, env.t, env.lang)
      : render.renderCheckText(report, env.t, io.terminal?.()),
  );
  if (opts.saveFacts && !opts.json) io.err(`${env.t('report.savedFacts', { file: opts.saveFacts })}\n`);
  if (report.verdict.blocking) ctx.setExit(EXIT_WOULD_FAIL);
}
