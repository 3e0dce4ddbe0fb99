/** `ecs-pull service <service>`: a service's deployments, events and recently stopped tasks, diagnosed by group. */
import type { Command } from 'commander';
import { parseServiceTarget, type ServiceTarget } from '../aws/service-target.js';
import type { ServiceReport } from '../diagnosis/service-report.js';
import { isUserError, UserError } from '../errors.js';
import { renderServiceJson } from '../render/service-json.js';
import { renderServiceText } from '../render/service-text.js';
import { commandEnv, type GlobalOptions } from './common.js';
import type { Io } from './io.js';
import { cliAccess, watchSettings } from './why.js';

interface ServiceOptions extends GlobalOptions {
  cluster?: string;
  region?: string;
  account?: string;
  profile?: string;
  roleArn?: string;
  externalId?: string;
  json?: boolean;
  watch?: boolean;
  watchInterval?: string;
  watchFor?: string;
}

/** Registers `service`. */
/** Registers `service`; `setExit` ends `service --watch` with its code. */
export function registerService(program: Command, io: Io, setExit: (code: number) => void = () => {}): void {
  program
    .command('service')
    .description(
      'Diagnose an ECS service: its deployments, events and recently stopped tasks, grouped by stop reason',
    )
    .argument(
      '<service>',
      'CLUSTER/SERVICE, the service ARN, its ECS console URL, or a service name with --cluster',
    )
    .option('--cluster <name>', 'cluster, for a service name alone or an old-format ARN')
    .option(
      '--region <region>',
      'region, when the service reference names none (default: AWS_REGION or the profile’s region)',
    )
    .option(
      '--account <id>',
      'account, when the service reference names none (default: that of your AWS credentials)',
    )
    .option('--profile <name>', 'AWS profile to take your credentials from (default: AWS_PROFILE)')
    .option('--role-arn <arn>', 'IAM role to assume in the service’s account (over the configuration)')
    .option('--external-id <id>', 'ExternalId for --role-arn')
    .option('--json', 'print the JSON service report (schema 1)')
    .option(
      '--watch',
      'after the report, look again every interval until the service runs its desired count with no new task failing to start and the lead group’s failing checks pass (exit 0), or time runs out (exit 4)',
    )
    .option('--watch-interval <time>', 'time between looks: 60s, 2m (default: watch.intervalSeconds, 60s)')
    .option('--watch-for <time>', 'longest watch: 30m, 90s (default: watch.maxMinutes, 30m)')
    .action(async (ref: string, _o: ServiceOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ServiceOptions>();
      const env = commandEnv(opts);
      const access = cliAccess(opts);
      const watch = watchSettings(opts, env);
      const role = access.roleArn?.split(':')[4];
      const targetOptions = { cluster: opts.cluster, region: opts.region, account: opts.account ?? role };
      let target: ServiceTarget;
      try {
        target = parseServiceTarget(ref, targetOptions);
      } catch (err) {
        if (!isUserError(err) || err.key !== 'errors.service.needs-region') throw err;
        const { defaultRegion } = await import('../aws/clients.js');
        target = parseServiceTarget(ref, {
          ...targetOptions,
          defaultRegion: await defaultRegion(access.profile),
        });
      }
      if (role && target.account !== role)
        throw new UserError('errors.options.role-elsewhere', {
          role: access.roleArn!,
          roleAccount: role,
          account: target.account ?? '?',
        });
      const [{ ClientPool }, { diagnoseService }, { servicePreflight }, log_] = await Promise.all([
        import('../aws/clients.js'),
        import('../diagnosis/service.js'),
        import('../diagnosis/service-preflight.js'),
        import('../log.js'),
      ]);
      const id = log_.correlationId();
      const log = log_
        .createLogger(
          env.config.log.level === 'info' ? 'error' : env.config.log.level,
          process.stderr,
          {},
          { secrets: log_.secretsOf(env.config) },
        )
        .child({ correlationId: id, surface: 'cli', account: target.account ?? null, region: target.region });
      const pool = new ClientPool(env.config, { cli: { ...access, ownAccount: true } });
      let report: ServiceReport;
      try {
        report = await diagnoseService(
          { target, requester: `cli-${io.user()}` },
          {
            pool,
            deadlineMs: env.config.aws.deadlineMs,
            settings: {
              probePublicRegistries: env.config.registries.probePublic,
              probeTimeoutMs: env.config.registries.probeTimeoutMs,
            },
            preflight: servicePreflight,
            onCheckError: (checkId, err) => log.error({ err, checkId }, 'check failed'),
          },
        );
      } catch (err) {
        if (isUserError(err)) throw err;
        log.error({ err, service: target.service }, 'service diagnosis failed');
        throw new UserError('errors.internal', { id }, 1);
      }
      log.info(
        {
          service: target.service,
          groups: report.groups.length,
          awsCalls: report.aws.callCount,
          rounds: report.aws.rounds,
        },
        'service diagnosis finished',
      );
      // Watching with --json: one JSON object per line, the report first.
      if (watch?.json) io.out(`${JSON.stringify(JSON.parse(renderServiceJson(report, env.t, env.lang)))}\n`);
      else
        io.out(
          opts.json
            ? renderServiceJson(report, env.t, env.lang)
            : renderServiceText(report, env.t, io.terminal?.()),
        );
      if (watch) {
        const [{ watchCli }, { recheckService, serviceWatchPlan }] = await Promise.all([
          import('./watch.js'),
          import('../diagnosis/service-watch.js'),
        ]);
        const plan = serviceWatchPlan(report);
        const deps = {
          pool,
          deadlineMs: env.config.aws.deadlineMs,
          settings: {
            probePublicRegistries: env.config.registries.probePublic,
            probeTimeoutMs: env.config.registries.probeTimeoutMs,
          },
        };
        setExit(
          await watchCli(io, env, watch, {
            checks: plan?.lead?.checks ?? [],
            recheck: () => recheckService({ requester: `cli-${io.user()}` }, plan!, deps),
            service: { name: report.service.serviceName, watch: !!plan },
          }),
        );
      }
    });
}
