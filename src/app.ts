#!/usr/bin/env node
/**
 * The Slack app (`npm start`): builds a Bolt app from the configuration, in Socket Mode by default (no public URL
 * needed) or HTTP mode (/slack/events, signed requests), with /healthz and /metrics on the configured port in both.
 */
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  App,
  type Logger as BoltLogger,
  type CustomRoute,
  LogLevel,
  type Receiver,
  SocketModeReceiver,
} from '@slack/bolt';
import { ClientPool } from './aws/clients.js';
import { preload, SERVICES, type ServiceName } from './aws/sdk.js';
import { type Config, loadConfig } from './config.js';
import { MemoryCallCache } from './diagnosis/facts/call-cache.js';
import { isUserError, UserError } from './errors.js';
import { translator } from './i18n.js';
import { correlationId, createLogger, type Logger, secretsOf } from './log.js';
import { Metrics } from './observability/metrics.js';
import { Burst } from './slack/burst.js';
import type { SlackDeps } from './slack/deps.js';
import { SlackHttpReceiver } from './slack/http-receiver.js';
import { Limiter } from './slack/limiter.js';
import { registerListeners } from './slack/listeners.js';
import { ChannelPacer, type PacerOptions, SLACK_PACE } from './slack/pacer.js';
import { RateLimits } from './slack/rate-limit.js';
import { SLACK_API_URL, slackFailure } from './slack/reach.js';
import { STORM_WINDOW_MS, StormGroups, TaskLookup, type TaskLookupOptions } from './slack/storm.js';
import { stopAllWatches } from './slack/watch.js';
import { createSharedState, type SharedState } from './state/shared.js';
import type { StateStore } from './state/store.js';

export interface BuildOptions {
  log?: Logger;
  /** Shared state (store and AWS answer cache); default: Redis when redis.url is set, else in memory. */
  state?: SharedState;
  /** Just the store (the AWS answer cache is then in memory). */
  store?: StateStore;
  pool?: ClientPool;
  /** Posting pace per channel (default: Slack's, one message a second with bursts of three). */
  pace?: Partial<PacerOptions>;
  /** The Slack Web API client's own retries (default: 3, backing off from 0.5 s to 5 s). */
  slackRetries?: { retries: number; factor: number; minTimeout: number; maxTimeout: number };
  /** Alert storms: false answers every alert alone; options tune the batched task lookup. */
  storm?: false | Partial<TaskLookupOptions>;
  /** Extra HTTP routes on the app's port. */
  routes?: CustomRoute[];
  /** Prometheus metrics served on /metrics (a fresh registry by default). */
  metrics?: Metrics;
  /** Most diagnoses running at once. */
  concurrency?: number;
  /** false: work after an acknowledgement starts at once, even while a burst of requests is arriving. */
  burst?: false;
}

export interface SlackApp {
  app: App;
  deps: SlackDeps;
  metrics: Metrics;
  /** Starts receiving; resolves with the HTTP port in use (HTTP mode: /slack/events; both: /healthz). */
  start(): Promise<{ port: number | undefined }>;
  stop(): Promise<void>;
}

/** Bolt's logger interface over pino. */
function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  const child = log.child({ component: 'bolt' });
  return {
    // Bolt logs a debug line or more per request, objects included: format only what will be written.
    debug: (...m: unknown[]) => {
      if (child.isLevelEnabled('debug')) child.debug(text(m));
    },
    info: (...m: unknown[]) => {
      if (child.isLevelEnabled('info')) child.info(text(m));
    },
    warn: (...m: unknown[]) => child.warn(text(m)),
    error: (...m: unknown[]) => child.error(text(m)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/** Where each Slack setting comes from in the environment. */
const slackEnv = {
  botToken: 'SLACK_BOT_TOKEN',
  appToken: 'SLACK_APP_TOKEN',
  signingSecret: 'SLACK_SIGNING_SECRET',
} as const;

/** The tokens and secrets the mode needs, all of them: a UserError naming every one that is missing. */
function requireSlackSettings(config: Config): void {
  const needed: Array<keyof typeof slackEnv> = [
    'botToken',
    config.slack.mode === 'http' ? 'signingSecret' : 'appToken',
  ];
  const missing = needed.filter((k) => !config.slack[k]);
  if (missing.length)
    throw new UserError('errors.config.slack-missing', {
      mode: config.slack.mode,
      env: missing.map((k) => slackEnv[k]).join(', '),
      keys: missing.map((k) => `slack.${k}`).join(', '),
    });
}

/**
 * A failure to start talking to Slack, as one line: Slack could not be reached at the URL (exit 1), or refused a
 * token (exit 2, a configuration problem); anything else as it was.
 */
function slackStartError(
  err: unknown,
  config: Config,
  method: string,
  token: keyof typeof slackEnv,
): unknown {
  const f = slackFailure(err);
  const url = config.slack.apiUrl ?? SLACK_API_URL;
  if (f.kind === 'unreachable')
    return new UserError('errors.slack.unreachable', { url, method, error: f.error }, 1);
  if (f.kind === 'refused')
    return new UserError('errors.slack.refused', { env: slackEnv[token], method, error: f.error }, 2);
  return err;
}

const health: CustomRoute = {
  path: '/healthz',
  method: ['GET'],
  handler: (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  },
};

/** The Web API method (or response_url) a Slack request is for, as a metrics label. */
function slackMethodOf(input: unknown): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : (input as Request).url;
  const m = /\/api\/([A-Za-z]+\.[A-Za-z.]+)/.exec(url ?? '');
  return m ? m[1]! : 'response_url';
}

/**
 * fetch for every call the app makes to Slack (Web API and response_url), counting failures on
 * ecs_pull_slack_api_errors_total by method and code: the API's error code, ratelimited, http_NNN, or the
 * network error code when Slack cannot be reached.
 */
export function countingFetch(metrics: Metrics, base: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const method = slackMethodOf(input);
    let res: Response;
    try {
      res = await base(input, init);
    } catch (err) {
      const cause = (err as { cause?: { code?: unknown } }).cause;
      const code = typeof cause?.code === 'string' ? cause.code : (err as Error).name || 'request_error';
      metrics.slackErrors.inc({ method, code });
      throw err;
    }
    if (res.status === 429) metrics.slackErrors.inc({ method, code: 'ratelimited' });
    else if (res.status >= 300) metrics.slackErrors.inc({ method, code: `http_${res.status}` });
    else if (res.headers.get('content-type')?.includes('json')) {
      try {
        const body = (await res.clone().json()) as { ok?: unknown; error?: unknown };
        if (body.ok === false) metrics.slackErrors.inc({ method, code: String(body.error ?? 'unknown') });
      } catch {
        metrics.slackErrors.inc({ method, code: 'invalid_json' });
      }
    }
    return res;
  };
}

/** Builds the app (listeners registered, not started). Throws UserError for missing tokens or an unreachable Redis. */
export async function buildSlackApp(config: Config, opts: BuildOptions = {}): Promise<SlackApp> {
  const log = opts.log ?? createLogger(config.log.level, process.stdout, {}, { secrets: secretsOf(config) });
  requireSlackSettings(config);
  const botToken = config.slack.botToken!;
  const logger = boltLogger(log);
  const metrics = opts.metrics ?? new Metrics();
  const metricsRoute: CustomRoute = {
    path: '/metrics',
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      metrics.text().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType });
          res.end(body);
        },
        (err: unknown) => {
          log.error({ err }, 'metrics failed');
          res.writeHead(500);
          res.end();
        },
      );
    },
  };
  const routes = [health, metricsRoute, ...(opts.routes ?? [])];
  const clientOptions = {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    // Slack's own retry policy spans half an hour; a chat reply that late helps nobody. A 429 is retried after
    // the Retry-After Slack gives (the client pauses its queue meanwhile); posts failing past these retries
    // are tried again by the pacer (slack/pacer.ts).
    retryConfig: opts.slackRetries ?? { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
    fetch: countingFetch(metrics),
  };
  let receiver: Receiver;
  // Work after an acknowledgement waits while a burst of requests is arriving (see slack/burst.ts).
  const burst = opts.burst === false ? undefined : new Burst();
  if (config.slack.mode === 'http') {
    receiver = new SlackHttpReceiver({
      signingSecret: config.slack.signingSecret!,
      endpoint: '/slack/events',
      customRoutes: routes,
      logger,
      burst,
      maxBodyBytes: config.slack.maxBodyBytes,
    });
  } else {
    receiver = new SocketModeReceiver({
      appToken: config.slack.appToken!,
      logger,
      customRoutes: routes,
      installerOptions: { port: config.slack.port, clientOptions },
    });
  }
  const app = new App({
    token: botToken,
    receiver,
    logger,
    clientOptions,
    ignoreSelf: true,
    deferInitialization: true,
  });
  // One state for the app's life: the AWS answer cache especially, so that an alert storm reads AWS once.
  const ownState = !opts.state && !opts.store;
  const state: SharedState =
    opts.state ??
    (opts.store
      ? { kind: 'memory', store: opts.store, callCache: new MemoryCallCache(), close: async () => {} }
      : await createSharedState(config, log));
  const pool = opts.pool ?? new ClientPool(config);
  // How long the alerts of a storm wait for the first reply (its diagnosis, then its turn to be posted).
  const stormWaitMs = config.aws.deadlineMs + 120_000;
  const deps: SlackDeps = {
    config,
    pool,
    store: state.store,
    log,
    callCache: state.callCache,
    limiter: new Limiter(opts.concurrency ?? 8),
    pacer: new ChannelPacer(state.store, log, { ...SLACK_PACE, ...opts.pace }),
    rateLimits: new RateLimits(config.slack.limits, state.store, log, (surface, scope) =>
      metrics.rateLimited.inc({ surface, scope }),
    ),
    storm:
      opts.storm === false
        ? undefined
        : {
            // Its DescribeTasks share the diagnoses' answer cache and count in the AWS call metrics.
            lookup: new TaskLookup(pool, log, opts.storm ?? {}, {
              cache: state.callCache,
              record: (call) => metrics.awsCall(call),
            }),
            groups: new StormGroups(state.store, log, {
              leadTtlMs: stormWaitMs,
              pollMs: 200,
              maxWaitMs: stormWaitMs,
              windowMs: STORM_WINDOW_MS,
            }),
          },
    inflight: new Set(),
    // In HTTP mode the receiver already holds a burst's requests back before Bolt sees them; the listeners' own
    // wait is for Socket Mode, where Bolt acknowledges.
    burst: config.slack.mode === 'http' ? undefined : burst,
    now: Date.now,
    onDiagnosis: (surface, seconds, report, outcome, stoppedBy) =>
      metrics.diagnosis(surface, seconds, report, outcome, stoppedBy),
    onFeedback: (next, previous) => metrics.feedbackAnswer(next, previous),
    replicaId: `${hostname()}-${process.pid}-${randomUUID().slice(0, 4)}`,
    watches: new Map(),
    onWatchEnd: (result) => metrics.watches.inc({ result }),
  };
  registerListeners(app, deps);
  return {
    app,
    deps,
    metrics,
    async start() {
      // auth.test: the bot's own ids, so that ignoreSelf can drop its messages.
      try {
        await app.init();
      } catch (err) {
        throw slackStartError(err, config, 'auth.test', 'botToken');
      }
      let started: unknown;
      try {
        started = (await app.start(config.slack.port)) as unknown;
      } catch (err) {
        // Socket Mode opens its connection with the app-level token (apps.connections.open).
        throw config.slack.mode === 'socket'
          ? slackStartError(err, config, 'apps.connections.open', 'appToken')
          : err;
      }
      const address = (started as Server | undefined)?.address?.();
      const port = typeof address === 'object' && address ? address.port : config.slack.port;
      return { port };
    },
    async stop() {
      await app.stop();
      // Requests already acknowledged get their answer: Slack will not send them again. A Watch click among them
      // starts its watch before the watches are stopped below, so that it too says it was interrupted.
      const grace = config.aws.deadlineMs + 5_000;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...deps.inflight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, grace);
        }),
      ]);
      clearTimeout(timer);
      // Watches say they were interrupted (another replica takes them over when someone presses Watch again).
      await stopAllWatches(deps, 5_000);
      if (ownState) await state.close();
    },
  };
}

/** `npm start`. */
export async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!isUserError(err)) throw err;
    process.stderr.write(
      `${translator('en')('errors.prefix', { message: translator('en')(err.key, err.params) })}\n`,
    );
    return 2;
  }
  const t = translator(config.defaultLanguage);
  const log = createLogger(config.log.level, process.stdout, {}, { secrets: secretsOf(config) });
  try {
    // The SDK's clients load on first use (src/aws/sdk.ts); a bot uses them all: load them before it starts, not
    // during the first diagnosis someone waits for.
    await preload(Object.keys(SERVICES) as ServiceName[]);
    const slack = await buildSlackApp(config, { log });
    const { port } = await slack.start();
    log.info({ mode: config.slack.mode, port }, 'ecs-pull Slack app started');
    const shutdown = (signal: string) => {
      log.info({ signal }, 'stopping');
      slack.stop().finally(() => process.exit(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    return 0;
  } catch (err) {
    if (isUserError(err)) {
      // One line each: the log's (no stack trace: nothing in the code went wrong) and stderr's.
      log.error({ key: err.key, ...err.params }, 'the Slack app could not start');
      process.stderr.write(`${t('errors.prefix', { message: t(err.key, err.params) })}\n`);
      return err.exitCode;
    }
    const id = correlationId();
    log.error({ err, correlationId: id }, 'the Slack app could not start');
    process.stderr.write(`${t('errors.prefix', { message: t('errors.internal', { id }) })}\n`);
    return 1;
  }
}

const invokedDirectly = (() => {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main().then((code) => {
    if (code !== 0) process.exit(code);
  });
}
