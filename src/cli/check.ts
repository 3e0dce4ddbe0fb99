/**
 * `ecs-pull check`: the pre-flight, a deploy gate. Would a task started now pull its images and start? With a
 * service (its network, its current task definition or a new one) or a task definition and a network. Exit code 4
 * when a check fails, 0 when every check passes or only warns; 2 bad input, 3 AWS could not be read.
 */
import type { Command } from 'commander';
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
import { commandEnv, type GlobalOptions, writeText } from './common.js';
import type { Io } from './io.js';
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

/** Registers `check`; `setExit` ends the command with 4 when a check fails. */
export function registerCheck(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('check')
    .description('Pre-flight: would a task started now be able to pull its images? (exit 4 when not)')
    .option(
      '--service <service>',
      'CLUSTER/SERVICE, a service ARN, its ECS console URL, or SERVICE with --cluster',
    )
    .option('--cluster <name>', 'cluster of a bare service name (default: default)')
    .option(
      '--task-definition <td>',
      'FAMILY, FAMILY:REVISION or ARN: a new task definition (default: the service’s current one)',
    )
    .option('--subnets <ids>', 'subnet ids separated by commas (without --service)')
    .option('--security-groups <ids>', 'security group ids separated by commas (without --service)')
    .option('--assign-public-ip', 'the task gets a public IP (without --service)')
    .option('--region <region>', 'region (default: the reference’s, else AWS_REGION or the profile’s region)')
    .option('--account <id>', 'account (default: the reference’s, else that of your AWS credentials)')
    .option('--profile <name>', 'AWS profile to take your credentials from (default: AWS_PROFILE)')
    .option('--role-arn <arn>', 'IAM role to assume in the account (over the configuration)')
    .option('--external-id <id>', 'ExternalId for --role-arn')
    .option('--json', 'print the JSON report (schema 1)')
    .option(
      '--save-facts <file>',
      'write everything gathered to FILE (replay it with `ecs-pull replay FILE`)',
    )
    .action(async (_o: CheckOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<CheckOptions>();
      const env = commandEnv(opts);
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
      const [{ ClientPool }, { preflight }, log_, diagnosisLog, render] = await Promise.all([
        import('../aws/clients.js'),
        import('../diagnosis/preflight.js'),
        import('../log.js'),
        import('../observability/diagnosis-log.js'),
        import('../render/check-text.js'),
      ]);
      const id = log_.correlationId();
      const started = performance.now();
      const log = log_
        .createLogger(
          env.config.log.level === 'info' ? 'error' : env.config.log.level,
          process.stderr,
          {},
          { secrets: log_.secretsOf(env.config) },
        )
        .child({
          correlationId: id,
          surface: 'cli',
          command: 'check',
          account: req.account ?? null,
          region: req.region,
          service: req.service ?? null,
          taskDefinition: req.taskDefinition ?? null,
        });
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
          onCheckError: (checkId, err) => log.error({ err, checkId }, 'check failed'),
        });
      } catch (err) {
        const ms = performance.now() - started;
        if (isUserError(err)) {
          diagnosisLog.logUserErrorAws(log, err);
          log.info({ outcome: 'user_error', ms: Math.round(ms), key: err.key }, 'pre-flight finished');
          throw err;
        }
        log.error({ outcome: 'internal_error', ms: Math.round(ms), err }, 'pre-flight finished');
        throw new UserError('errors.internal', { id }, 1);
      }
      const { report, saved } = result;
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
      if (report.verdict.blocking) setExit(EXIT_WOULD_FAIL);
    });
}
