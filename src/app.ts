#!/usr/bin/env node
/**
 * The Slack app (`npm start`): builds a Bolt app from the configuration, in Socket Mode by default (no public URL
 * needed) or HTTP mode (/slack/events, signed requests), with /healthz and /metrics on the configured port in both.
 */
import { realpathSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import {
  App,
  type Logger as BoltLogger,
  type CustomRoute,
  HTTPReceiver,
  LogLevel,
  type Receiver,
  SocketModeReceiver,
} from '@slack/bolt';
import { ClientPool } from './aws/clients.js';
import { type Config, loadConfig, silenceSdkNodeNotice } from './config.js';
import { MemoryCallCache } from './diagnosis/facts/call-cache.js';
import { isUserError, UserError } from './errors.js';
import { translator } from './i18n.js';
import { correlationId, createLogger, type Logger } from './log.js';
import { Metrics } from './observability/metrics.js';
import { Limiter, type SlackDeps } from './slack/deps.js';
import { registerListeners } from './slack/listeners.js';
import { MemoryStore, type StateStore } from './state/store.js';

export interface BuildOptions {
  log?: Logger;
  store?: StateStore;
  pool?: ClientPool;
  /** Extra HTTP routes on the app's port. */
  routes?: CustomRoute[];
  /** Prometheus metrics served on /metrics (a fresh registry by default). */
  metrics?: Metrics;
  /** Most diagnoses running at once. */
  concurrency?: number;
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
    debug: (...m: unknown[]) => child.debug(text(m)),
    info: (...m: unknown[]) => child.info(text(m)),
    warn: (...m: unknown[]) => child.warn(text(m)),
    error: (...m: unknown[]) => child.error(text(m)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function required(config: Config, key: 'botToken' | 'appToken' | 'signingSecret', env: string): string {
  const v = config.slack[key];
  if (!v) {
    throw new UserError('errors.config.invalid', {
      path: config.source,
      key: `slack.${key}`,
      reason: `is required in ${config.slack.mode} mode (or set ${env})`,
    });
  }
  return v;
}

const health: CustomRoute = {
  path: '/healthz',
  method: ['GET'],
  handler: (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  },
};

/** Builds the app (listeners registered, not started). Throws UserError for missing tokens. */
export async function buildSlackApp(config: Config, opts: BuildOptions = {}): Promise<SlackApp> {
  const log = opts.log ?? createLogger(config.log.level, process.stdout);
  const botToken = required(config, 'botToken', 'SLACK_BOT_TOKEN');
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
    // Slack's own retry policy spans half an hour; a chat reply that late helps nobody.
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
  };
  let receiver: Receiver;
  let httpReceiver: HTTPReceiver | undefined;
  if (config.slack.mode === 'http') {
    httpReceiver = new HTTPReceiver({
      signingSecret: required(config, 'signingSecret', 'SLACK_SIGNING_SECRET'),
      endpoints: '/slack/events',
      port: config.slack.port,
      customRoutes: routes,
      logger,
    });
    receiver = httpReceiver;
  } else {
    receiver = new SocketModeReceiver({
      appToken: required(config, 'appToken', 'SLACK_APP_TOKEN'),
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
  const deps: SlackDeps = {
    config,
    pool: opts.pool ?? new ClientPool(config),
    store: opts.store ?? new MemoryStore(),
    log,
    callCache: new MemoryCallCache(),
    limiter: new Limiter(opts.concurrency ?? 8),
    inflight: new Set(),
    now: Date.now,
    onDiagnosis: (surface, seconds, report, outcome) => metrics.diagnosis(surface, seconds, report, outcome),
  };
  registerListeners(app, deps);
  return {
    app,
    deps,
    metrics,
    async start() {
      // auth.test: the bot's own ids, so that ignoreSelf can drop its messages.
      await app.init();
      const started = (await app.start(config.slack.port)) as unknown;
      const address = (started as Server | undefined)?.address?.();
      const port = typeof address === 'object' && address ? address.port : config.slack.port;
      return { port };
    },
    async stop() {
      await app.stop();
      // Requests already acknowledged get their answer: Slack will not send them again.
      const grace = config.aws.deadlineMs + 5_000;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...deps.inflight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, grace);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}

/** `npm start`. */
export async function main(): Promise<number> {
  silenceSdkNodeNotice();
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
  const log = createLogger(config.log.level, process.stdout);
  try {
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
      process.stderr.write(`${t('errors.prefix', { message: t(err.key, err.params) })}\n`);
      return 2;
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
