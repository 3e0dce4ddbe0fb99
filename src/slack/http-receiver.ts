/**
 * HTTP mode's receiver: Slack's request is answered as soon as it is verified, and Bolt dispatches it after.
 *
 * Bolt's own HTTPReceiver answers when a listener calls ack(), which comes after Bolt's whole middleware chain
 * has run for that request; with a burst of requests (an incident: dozens of people typing the command, an alert
 * storm) each waits for every earlier request's dispatch, and a machine with two cores needs about half a
 * millisecond per request. Every listener of ecs-pull acknowledges with an empty body (answers go through
 * response_url and chat.postMessage), so the receiver can send that empty 200 itself, right after the signature
 * check, and hand the request to Bolt when the burst has passed (`Burst`). URL verification, SSL checks, bad
 * signatures (401), malformed bodies (400) and oversized ones (413) are answered as Bolt's receiver answers them,
 * with Bolt's own functions.
 *
 * Requests that are not Slack's cost as little as they can: a body larger than `maxBodyBytes` is refused with 413
 * as soon as its Content-Length says so, or while it streams in, before it is buffered (its connection is closed
 * within a second); and only a request whose signature verifies counts as an arrival of a burst (an unsigned stream must
 * not hold Slack's own requests back).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type App,
  type CustomRoute,
  HTTPModuleFunctions as http,
  type Logger,
  type Receiver,
  type ReceiverEvent,
} from '@slack/bolt';
import type { Burst } from './burst.js';

/** How long the rest of a refused body may keep arriving (and be thrown away) before its connection is closed. */
const LINGER_MS = 1_000;

export interface SlackHttpReceiverOptions {
  signingSecret: string;
  /** Where Slack posts commands, events and interactions. */
  endpoint: string;
  /** Other routes (health check, metrics), matched by exact path and method. */
  customRoutes: CustomRoute[];
  logger: Logger;
  /** Dispatch waits for a burst of requests to pass; absent: at once, after the answer. */
  burst?: Burst | undefined;
  /** Largest request body read; larger ones are refused with 413 before they are buffered. */
  maxBodyBytes: number;
}

export class SlackHttpReceiver implements Receiver {
  private app: App | undefined;
  private server: Server | undefined;
  /** Answered requests still waiting for a burst to pass before Bolt gets them (stop() lets them through). */
  private readonly deferred = new Set<Promise<void>>();

  constructor(private readonly opts: SlackHttpReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  async start(port: number): Promise<Server> {
    if (this.server) throw new Error('the receiver is already started');
    const server = createServer((req, res) => this.route(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.opts.logger.debug(`listening on ${(server.address() as AddressInfo).port}`);
    return server;
  }

  /**
   * Stops listening. Requests already answered are still handed to Bolt (at most the burst's wait later); their
   * work is then the app's to finish or abandon on shutdown (src/app.ts waits for it within a grace period).
   */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    }
    await Promise.allSettled([...this.deferred]);
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    if (path === this.opts.endpoint && method === 'POST') {
      void this.event(req, res);
      return;
    }
    for (const r of this.opts.customRoutes) {
      const methods = ([] as string[]).concat(r.method).map((m) => m.toUpperCase());
      if (r.path === path && methods.includes(method)) {
        r.handler(Object.assign(req, { params: {} }), res);
        return;
      }
    }
    http.buildNoBodyResponse(res, 404);
  }

  private async event(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const limit = this.opts.maxBodyBytes;
    if (Number(req.headers['content-length']) > limit) {
      this.tooLarge(req, res);
      return;
    }
    let buffered: Awaited<ReturnType<typeof http.parseAndVerifyHTTPRequest>>;
    try {
      // Reads at most `limit` bytes, whatever the body says of its length.
      buffered = await http.parseAndVerifyHTTPRequest(
        { enabled: true, signingSecret: this.opts.signingSecret, bodyLimit: limit },
        req,
      );
    } catch (err) {
      if (http.isRawBodyError(err) && (err.type === 'entity.too.large' || err.statusCode === 413)) {
        this.tooLarge(req, res);
        return;
      }
      this.opts.logger.warn(`Failed to parse and verify the request data: ${(err as Error).message}`);
      http.buildNoBodyResponse(res, 401);
      return;
    }
    // biome-ignore lint/suspicious/noExplicitAny: Slack's request bodies are any of its payload shapes
    let body: any;
    try {
      body = http.parseHTTPRequestBody(buffered);
    } catch (err) {
      this.opts.logger.warn(`Malformed request body: ${(err as Error).message}`);
      http.buildNoBodyResponse(res, 400);
      return;
    }
    if (body?.ssl_check === '1') {
      http.buildSSLCheckResponse(res);
      return;
    }
    if (body?.type === 'url_verification') {
      http.buildUrlVerificationResponse(res, body);
      return;
    }
    // A signed request to dispatch: only now does it count as an arrival of a burst. Unsigned requests never get
    // here, nor SSL checks (which Slack does not sign and which need no work).
    this.opts.burst?.arrived();
    // The acknowledgement: every listener of this app acks with an empty body.
    http.buildNoBodyResponse(res, 200);
    const event: ReceiverEvent = {
      body,
      ack: async () => {},
      retryNum: http.extractRetryNumFromHTTPRequest(req),
      retryReason: http.extractRetryReasonFromHTTPRequest(req),
      customProperties: {},
    };
    const wait = this.opts.burst?.settled();
    if (wait) {
      this.deferred.add(wait);
      await wait;
      this.deferred.delete(wait);
    }
    try {
      await this.app?.processEvent(event);
    } catch (err) {
      this.opts.logger.error(`An incoming request could not be processed: ${(err as Error).message}`);
    }
  }

  /**
   * 413 for a body over the limit, none of it buffered. What is still arriving is read and thrown away for at most
   * LINGER_MS, then the connection is closed: closing at once would reset it under a sender still writing, which
   * could then lose the answer (a sender that has finished keeps its connection).
   */
  private tooLarge(req: IncomingMessage, res: ServerResponse): void {
    this.opts.logger.warn(
      `Request body exceeded the maximum allowed size (limit: ${this.opts.maxBodyBytes} bytes)`,
    );
    const socket = req.socket;
    const linger = setTimeout(() => socket.destroy(), LINGER_MS);
    const done = () => clearTimeout(linger);
    req.once('end', done);
    socket.once('close', done);
    req.resume();
    http.buildNoBodyResponse(res, 413);
  }
}
