/** `ecs-pull service <service>`: a service's deployments, events and recently stopped tasks, diagnosed by group. */
import { parseServiceTarget, type ServiceTarget } from '../aws/service-target.js';
import type { ServiceReport } from '../diagnosis/service-report.js';
import { isUserError, UserError } from '../errors.js';
import {
  type CommandContext,
  commandEnv,
  type GlobalOptions,
  laterLog,
  requestedLanguage,
} from './common.js';
import { cliAccess, readReference, watchSettings } from './why.js';

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

/**
 * Runs `service` (with --watch, then looks again every interval: src/cli/watch.ts): the input is checked first (options, the service reference), then the configuration is loaded,
 * and only then the AWS SDK, a client at a time (src/aws/sdk.ts), and the renderer the output needs.
 */
export async function service(ref: string, opts: ServiceOptions, ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  // The input first: a mistake in it is said before the configuration, let alone the AWS SDK, is loaded.
  const asked = requestedLanguage(opts);
  if (asked) ctx.setLanguage(asked);
  const access = cliAccess(opts);
  watchSettings(opts);
  const target: ServiceTarget = await readReference(
    (o) => parseServiceTarget(ref, o),
    'errors.service.needs-region',
    opts,
    access,
  );
  const env = await commandEnv(opts, ctx);
  const watch = watchSettings(opts, env.config);
  const [{ ClientPool }, { diagnoseService }, { servicePreflight }] = await Promise.all([
    import('../aws/clients.js'),
    import('../diagnosis/service.js'),
    import('../diagnosis/service-preflight.js'),
  ]);
  const later = await laterLog(env.config, () => ({
    account: target.account ?? null,
    region: target.region,
  }));
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
        onCheckError: later.checkError,
      },
    );
  } catch (err) {
    const { log } = await later.get();
    if (isUserError(err)) throw err;
    log.error({ err, service: target.service }, 'service diagnosis failed');
    throw new UserError('errors.internal', { id: later.id }, 1);
  }
  const { log } = await later.get();
  log.info(
    {
      service: target.service,
      groups: report.groups.length,
      awsCalls: report.aws.callCount,
      rounds: report.aws.rounds,
    },
    'service diagnosis finished',
  );
  const render = opts.json
    ? await import('../render/service-json.js')
    : await import('../render/service-text.js');
  // Watching with --json: one JSON object per line, the report first.
  if ('renderServiceJson' in render) {
    const json = render.renderServiceJson(report, env.t, env.lang);
    io.out(watch?.json ? `${JSON.stringify(JSON.parse(json))}\n` : json);
  } else io.out(render.renderServiceText(report, env.t, io.terminal?.()));
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
    ctx.setExit(
      await watchCli(io, env, watch, {
        checks: plan?.lead?.checks ?? [],
        recheck: () => recheckService({ requester: `cli-${io.user()}` }, plan!, deps),
        service: { name: report.service.serviceName, watch: !!plan },
      }),
    );
  }
}
