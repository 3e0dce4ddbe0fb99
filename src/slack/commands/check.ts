/**
 * `/ecs-pull check CLUSTER/SERVICE [FAMILY:REVISION]`: the pre-flight from Slack. Acknowledged at once (by the
 * command's listener); the account passes the channel's permissions before any AWS call, the request the rate
 * limits, and the answer is one Block Kit message for the channel: the verdict, the checks that block with their
 * fixes, and buttons to the task definition and the service. Refusals and bad input are ephemeral lines.
 */
import type { RespondFn } from '@slack/bolt';
import type { TFunction } from 'i18next';
import {
  parseServiceTarget,
  parseTaskDefinitionRef,
  type ServiceTarget,
  type TaskDefinitionRef,
} from '../../aws/service-target.js';
import type { Config } from '../../config.js';
import type { PreflightRequest } from '../../diagnosis/preflight.js';
import { preflight, preflightTarget } from '../../diagnosis/preflight.js';
import { isUserError, UserError } from '../../errors.js';
import { diagnosisId, newScope, withCorrelation } from '../../log.js';
import { checkLinks, renderCheckReply } from '../../render/check-blocks.js';
import { say } from '../../render/text.js';
import { channelAccounts, mayDiagnose, refusalMessage } from '../access.js';
import { requesterOf, type SlackDeps } from '../deps.js';
import { userErrorMessage } from '../diagnoser.js';
import { publishMessage, type SlackClient } from '../reply.js';
import type { ParsedCommand } from './parse.js';

export type CheckCommand = Extract<ParsedCommand, { kind: 'check' }>;

interface Payload {
  channel_id: string;
  user_id: string;
  team_id: string;
}

/** The bot's own region (AWS_REGION, its profile's), for a service named without one; asked once. */
let ownRegion: Promise<string | undefined> | undefined;
export function botRegion(): Promise<string | undefined> {
  ownRegion ??= import('../../aws/clients.js').then((m) => m.defaultRegion());
  return ownRegion;
}

/**
 * The account a check reads: the service's or task definition's ARN, else `account:`, else the one account the
 * channel may read when it lists exactly one; undefined when none of these says it.
 */
export function checkAccount(
  config: Config,
  channel: string,
  service: ServiceTarget,
  td: TaskDefinitionRef | undefined,
): string | undefined {
  if (service.account) return service.account;
  if (td?.account) return td.account;
  const listed = channelAccounts(config, channel).filter((a) => a !== '*');
  return listed.length === 1 && !channelAccounts(config, channel).includes('*') ? listed[0] : undefined;
}

/** The service and task definition of the command, their region and account; a UserError when they do not parse. */
async function plan(
  deps: SlackDeps,
  cmd: CheckCommand,
  channel: string,
): Promise<{ service: ServiceTarget; td: TaskDefinitionRef | undefined; account: string | undefined }> {
  const td = cmd.taskDefinition ? parseTaskDefinitionRef(cmd.taskDefinition) : undefined;
  const opts = { ...cmd.opts, region: cmd.opts.region ?? td?.region };
  let service: ServiceTarget;
  try {
    service = parseServiceTarget(cmd.service, opts);
  } catch (err) {
    if (!isUserError(err) || err.key !== 'errors.service.needs-region') throw err;
    service = parseServiceTarget(cmd.service, { ...opts, defaultRegion: await botRegion() });
  }
  const account = checkAccount(deps.config, channel, service, td);
  if (td?.region && (td.region !== service.region || (account && td.account !== account)))
    throw new UserError('errors.check.task-definition-elsewhere', {
      taskDefinition: td.name,
      where: `${td.account}/${td.region}`,
      expected: `${account ?? '—'}/${service.region}`,
    });
  return { service, td, account };
}

/** Runs one pre-flight for a channel and posts its report; tells the person what stopped it otherwise. */
export async function handleCheck(
  deps: SlackDeps,
  cmd: CheckCommand,
  command: Payload,
  client: SlackClient,
  respond: RespondFn,
  t: TFunction,
  tell: (text: string) => Promise<void>,
): Promise<void> {
  const usage = t('slack:usage.check', { command: '/ecs-pull' });
  let planned: Awaited<ReturnType<typeof plan>>;
  try {
    planned = await plan(deps, cmd, command.channel_id);
  } catch (err) {
    if (!isUserError(err)) throw err;
    await tell(`${say(t, userErrorMessage(err))}\n${usage}`);
    return;
  }
  const { service, td, account } = planned;
  if (!account) {
    await tell(
      `${t('slack:errors.check-needs-account', { service: `${service.cluster}/${service.service}` })}\n${usage}`,
    );
    return;
  }
  if (!mayDiagnose(deps.config, deps.pool, command.channel_id, account, service.partition)) {
    deps.log.info({ channel: command.channel_id, account }, 'account not allowed in channel');
    await tell(say(t, refusalMessage(deps.config, command.channel_id, account)));
    return;
  }
  const requester = requesterOf(command.team_id, command.user_id);
  const req: PreflightRequest = {
    account,
    region: service.region,
    partition: service.partition,
    cluster: service.cluster,
    service: service.service,
    taskDefinition: td?.name,
    requester,
  };
  // One pre-flight costs one token, as one diagnosis does (per person, channel and account).
  const named = [{ target: preflightTarget(req) }];
  await deps.rateLimits?.admit({
    surface: 'command',
    requester,
    channel: command.channel_id,
    named,
    allowed: named,
  });
  const scope = newScope(diagnosisId());
  scope.adopted = true;
  await withCorrelation(scope, async () => {
    const log = deps.log.child({
      correlationId: scope.id,
      surface: 'command',
      command: 'check',
      account,
      region: req.region,
      service: `${req.cluster}/${req.service}`,
      taskDefinition: req.taskDefinition ?? null,
    });
    const started = deps.now();
    let report: Awaited<ReturnType<typeof preflight>>['report'];
    try {
      ({ report } = await deps.limiter.run(() =>
        preflight(req, {
          pool: deps.pool,
          deadlineMs: deps.config.aws.deadlineMs,
          settings: {
            probePublicRegistries: deps.config.registries.probePublic,
            probeTimeoutMs: deps.config.registries.probeTimeoutMs,
            // Every account the pre-flight touches (a registry, a secret, a KMS key) passes the channel's rules.
            mayRead: (a) => mayDiagnose(deps.config, deps.pool, command.channel_id, a, service.partition),
          },
          sharedCache: deps.callCache,
          onCheckError: (checkId, err) => log.error({ err, checkId }, 'check failed'),
        }),
      ));
    } catch (err) {
      if (!isUserError(err)) throw err;
      log.info({ outcome: 'user_error', key: err.key, ms: deps.now() - started }, 'pre-flight finished');
      await tell(say(t, userErrorMessage(err, scope.id)));
      return;
    }
    log.info(
      {
        outcome: report.verdict.outcome,
        failing: report.verdict.failing,
        calls: report.aws.callCount,
        rounds: report.aws.rounds,
        ms: deps.now() - started,
      },
      'pre-flight finished',
    );
    const links = checkLinks(report, (a) => deps.pool.identityCenterFor(a));
    const msg = renderCheckReply(report, t, { requestedBy: command.user_id, links });
    await publishMessage(deps, client, command.channel_id, msg, respond);
  });
}
