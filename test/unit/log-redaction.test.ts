/**
 * src/log.ts keeps secrets out of every line: nested error objects as the AWS SDK and the Slack Web API really
 * throw them (and with credentials attached where a careless caller might), Bolt-style errors holding the token
 * in request headers and body, token-shaped text in messages; and lines carry the correlation id of the scope
 * they were logged in.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { DescribeTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import {
  createLogger,
  diagnosisId,
  maskSecrets,
  newScope,
  scrub,
  secretsOf,
  withCorrelation,
} from '../../src/log.js';

const BOT_TOKEN = 'xoxb-1111-2222-unitBotTokenValue';
const APP_TOKEN = 'xapp-1-A0UNIT-3333-unitAppTokenValue';
const SIGNING_SECRET = 'unit-signing-secret-8c1d';
const EXTERNAL_ID = 'unit-external-id-5e7a';
const ACCOUNT_EXTERNAL_ID = 'account-external-id-9b2c';
const SECRET_KEY = 'unitSecretAccessKey/abcdefghijklmnopqrstuv';
const SESSION_TOKEN = 'FwoGZXIvYXdzEUnitSessionToken//////////wEaDH';
const ALL = [
  BOT_TOKEN,
  APP_TOKEN,
  SIGNING_SECRET,
  EXTERNAL_ID,
  ACCOUNT_EXTERNAL_ID,
  SECRET_KEY,
  SESSION_TOKEN,
];

function capture(secrets: string[] = []) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { log: createLogger('debug', sink, {}, { secrets }), lines };
}

function expectClean(lines: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(() => JSON.parse(line), line).not.toThrow();
    for (const s of ALL) expect(line, `a secret in ${line}`).not.toContain(s);
  }
}

/** A local endpoint answering like ECS with AccessDenied and like Slack with invalid_auth. */
let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/api/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'invalid_auth' }));
      return;
    }
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req-1' });
    res.end(
      JSON.stringify({ __type: 'AccessDeniedException', message: 'not authorized to ecs:DescribeTasks' }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('log redaction', () => {
  it('an AWS SDK error, with credentials in its config and $response, logs its code and no secret', async () => {
    const credentials = {
      accessKeyId: 'ASIAUNITTEST',
      secretAccessKey: SECRET_KEY,
      sessionToken: SESSION_TOKEN,
    };
    const ecs = new ECSClient({ region: 'eu-west-1', endpoint: url, credentials, maxAttempts: 1 });
    const err = await ecs.send(new DescribeTasksCommand({ cluster: 'c', tasks: ['t'] })).catch((e) => e);
    expect(err.name).toBe('AccessDeniedException');
    // What a careless caller could hang on an error: the client's resolved config and the request it sent.
    Object.assign(err, {
      config: { region: 'eu-west-1', credentials, credentialDefaultProvider: () => credentials },
      $request: {
        headers: {
          authorization: `AWS4-HMAC-SHA256 Credential=ASIAUNITTEST/20250101/eu-west-1/ecs/aws4_request, Signature=abc`,
          'x-amz-security-token': SESSION_TOKEN,
        },
      },
      $metadata: { ...err.$metadata, credentials },
    });
    const { log, lines } = capture();
    log.error(
      { err, wrapped: { inner: { err } }, Credentials: { SecretAccessKey: SECRET_KEY } },
      'call failed',
    );
    expectClean(lines);
    const entry = JSON.parse(lines[0]!);
    expect(entry.err).toMatchObject({
      type: 'AccessDeniedException',
      message: 'not authorized to ecs:DescribeTasks',
      $metadata: { httpStatusCode: 400, requestId: 'req-1' },
    });
    expect(entry.err.stack).toContain('AccessDeniedException');
    expect(entry.err.config.credentials).toBe('[redacted]');
    expect(entry.err.$metadata.credentials).toBe('[redacted]');
    expect(entry.err.$request.headers['x-amz-security-token']).toBe('[redacted]');
    expect(entry.wrapped.inner.err.type).toBe('AccessDeniedException');
    expect(entry.Credentials).toBe('[redacted]');
  });

  it('a Slack Web API error and a Bolt-style error with the token in request headers and body', async () => {
    const client = new webApi.WebClient(BOT_TOKEN, {
      slackApiUrl: `${url}/api/`,
      retryConfig: { retries: 0 },
    });
    const apiErr = await client.chat.postMessage({ channel: 'C0UNIT', text: 'hi' }).catch((e) => e);
    expect(apiErr.data.error).toBe('invalid_auth');
    const boltErr = Object.assign(new Error(`Failed to call chat.postMessage with token ${BOT_TOKEN}`), {
      code: 'slack_bolt_authorization_error',
      original: apiErr,
      request: {
        method: 'POST',
        headers: { Authorization: `Bearer ${BOT_TOKEN}`, 'x-slack-signature': 'v0=abc' },
        body: `token=${BOT_TOKEN}&channel=C0UNIT`,
        data: { token: BOT_TOKEN, app_token: APP_TOKEN },
      },
      cause: new Error(`socket hang up while using ${APP_TOKEN}`),
    });
    // No secret values given: names and token shapes alone keep them out.
    const { log, lines } = capture();
    log.error({ err: boltErr }, 'slack request failed');
    expectClean(lines);
    const entry = JSON.parse(lines[0]!);
    expect(entry.err.code).toBe('slack_bolt_authorization_error');
    expect(entry.err.original.data.error).toBe('invalid_auth');
    expect(entry.err.request.headers.Authorization).toBe('[redacted]');
    expect(entry.err.request.body).toBe('token=xox-[redacted]&channel=C0UNIT');
    expect(entry.err.cause.message).toContain('xapp-[redacted]');
    expect(entry.err.message).toContain('xox-[redacted]');
    // A secret with no recognisable shape, inside a message string (as Bolt logs): masked by value.
    const told = capture(
      secretsOf(defaultConfig({ slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET } })),
    );
    told.log.warn(`bolt said: ${JSON.stringify({ token: BOT_TOKEN, secret: SIGNING_SECRET })}`);
    expectClean(told.lines);
  });

  it('masks configured secret values anywhere in a line, escaped or not', () => {
    const config = defaultConfig({
      externalId: EXTERNAL_ID,
      accounts: {
        '111122223333': { roleArn: 'arn:aws:iam::111122223333:role/r', externalId: ACCOUNT_EXTERNAL_ID },
      },
      slack: { botToken: BOT_TOKEN, appToken: APP_TOKEN, signingSecret: SIGNING_SECRET },
    });
    const { log, lines } = capture(secretsOf(config));
    log.info(
      { note: `assumed with ${EXTERNAL_ID}`, list: [ACCOUNT_EXTERNAL_ID] },
      `secret ${SIGNING_SECRET}`,
    );
    log.info({ nested: { deeper: [{ text: `"${SIGNING_SECRET}"` }] } }, 'quoted');
    const child = log.child({ plan: { roleArn: 'arn:aws:iam::1:role/r', ExternalId: EXTERNAL_ID } });
    child.info('child bindings');
    expectClean(lines);
    expect(JSON.parse(lines[2]!).plan).toEqual({
      roleArn: 'arn:aws:iam::1:role/r',
      ExternalId: '[redacted]',
    });
    expect(maskSecrets('x X-Amz-Security-Token=abc%2Fdef&X-Amz-Date=1', [])).toBe(
      'x X-Amz-Security-Token=[redacted]&X-Amz-Date=1',
    );
  });

  it('keeps what is not secret, and survives cycles, streams and depth', () => {
    const a: Record<string, unknown> = { name: 'a', when: new Date(0), big: Buffer.alloc(10) };
    a.self = a;
    const out = scrub({ a, server, tokenCount: 3, checkId: 'network.route', n: 1n }) as Record<
      string,
      unknown
    >;
    expect(out.a).toMatchObject({ name: 'a', when: '1970-01-01T00:00:00.000Z', big: '[Buffer 10 bytes]' });
    expect((out.a as Record<string, unknown>).self).toBe('[Circular]');
    expect(out.server).toBe('[Server]');
    expect(out.tokenCount).toBe('[redacted]');
    expect(out.checkId).toBe('network.route');
    expect(out.n).toBe('1');
    let deep: Record<string, unknown> = { v: 1 };
    for (let i = 0; i < 20; i++) deep = { deep };
    expect(JSON.stringify(scrub(deep))).toContain('[…]');
  });
});

describe('correlation ids', () => {
  it('every line in a scope carries its id; a logger bound to an id keeps its own', () => {
    const { log, lines } = capture();
    const request = newScope();
    withCorrelation(request, () => {
      log.info('inside the request');
      const d1 = diagnosisId();
      const d2 = diagnosisId();
      expect(d1).toBe(request.id);
      expect(d2).not.toBe(request.id);
      log.child({ correlationId: d2 }).info('in the second diagnosis');
      log.info({ correlationId: 'explicit' }, 'explicit id');
    });
    log.info('outside');
    const entries = lines.map((l) => JSON.parse(l));
    expect(entries[0].correlationId).toBe(request.id);
    expect(entries[1].correlationId).toBe(request.diagnoses[1]);
    expect(lines[1]!.match(/"correlationId"/g)).toHaveLength(1);
    expect(entries[2].correlationId).toBe('explicit');
    expect(entries[3].correlationId).toBeUndefined();
    expect(request.diagnoses).toHaveLength(2);
  });
});
