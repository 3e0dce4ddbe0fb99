/**
 * Property tests on what strangers send the bot: any message (text, attachments, blocks, metadata, JSON of any
 * shape) and any `/ecs-pull` text. The extractor and the parser never throw; nothing touches AWS unless the
 * input names a valid task of an account the channel may diagnose; a person always gets one clear message
 * (translated, never a raw key or a stack trace); an alert naming no task gets no reply at all.
 */
import type { RespondFn } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import type { Partition } from '../../src/aws/partition.js';
import { parseServiceTarget } from '../../src/aws/service-target.js';
import { parseTaskTarget } from '../../src/aws/target.js';
import { defaultConfig } from '../../src/config.js';
import { isUserError } from '../../src/errors.js';
import { translator } from '../../src/i18n.js';
import { mayDiagnose } from '../../src/slack/access.js';
import { findTasks, findTasksInMessage, flattenMessage, MAX_TASKS_PER_ALERT } from '../../src/slack/alert.js';
import { checkAccount } from '../../src/slack/commands/check.js';
import { handleCommand } from '../../src/slack/commands/ecs-pull.js';
import { parseCommandText } from '../../src/slack/commands/parse.js';
import type { SlackDeps } from '../../src/slack/deps.js';
import { handleAlertMessage } from '../../src/slack/events/alert-message.js';
import { captureLog } from '../helpers/slack-log.js';
import { BOT_ID, FakeSlack } from '../helpers/slack-server.js';

const ALLOWED = '431122334455';
const OTHER = '210987654321';

// ---------------------------------------------------------------------------------------------------------------
// Generators: noise, and noise close to valid input (ARNs with one part wrong, Slack's wrappings, events).

const hex = fc.constantFrom(...'0123456789abcdef'.split(''));
const taskId = fc.oneof(
  fc.string({ unit: hex, minLength: 32, maxLength: 32 }),
  fc.uuid({ version: 4 }),
  fc.string({ unit: hex, minLength: 1, maxLength: 40 }),
);
const cluster = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), fc.string({ maxLength: 8 }));
const region = fc.constantFrom(
  'eu-west-1',
  'eu-south-1',
  'cn-north-1',
  'us-gov-west-1',
  'mars-1',
  '',
  'EU-WEST-1',
);
const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'aws-xx', '');
const account = fc.oneof(
  fc.constantFrom(ALLOWED, OTHER),
  fc.stringMatching(/^\d{12}$/),
  fc.stringMatching(/^\d{0,14}$/),
);
const resource = fc.oneof(
  taskId.map((id) => `task/${id}`),
  fc.tuple(cluster, taskId).map(([c, id]) => `task/${c}/${id}`),
  fc.constantFrom('service/web/api', 'cluster/web', 'task', 'task/', 'container-instance/x/y'),
  fc.string({ maxLength: 20 }),
);
const service = fc.constantFrom('ecs', 'ecs', 'ecs', 'ec2', 'ECS');
const arnLike = fc
  .tuple(partition, service, region, account, resource)
  .map(([p, s, r, a, res]) => `arn:${p}:${s}:${r}:${a}:${res}`);
/** A valid task ARN of one of the two accounts the configuration knows. */
const validArn = fc
  .tuple(
    fc.constantFrom(ALLOWED, OTHER),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/),
    fc.string({ unit: hex, minLength: 32, maxLength: 32 }),
  )
  .map(([a, c, id]) => `arn:aws:ecs:eu-west-1:${a}:task/${c}/${id}`);
const wrapped = fc
  .tuple(
    fc.oneof(arnLike, validArn),
    fc.constantFrom('', '<', '"', '`', '*', '('),
    fc.constantFrom('', '>', '|x>', '.', ',', '"'),
  )
  .map(([a, l, r]) => `${l}${a}${r}`);
const word = fc.oneof(
  fc.constantFrom(
    'why',
    'WHY',
    'perché',
    'help',
    'aiuto',
    '?',
    'diagnose',
    'lang:it',
    'lang:en',
    'lang:xx',
    'lingua:',
    'cluster:web',
    'region:eu-west-1',
    'account:431122334455',
    'region=mars',
    'foo:bar',
    '--help',
  ),
  wrapped,
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const commandText = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('why', 'perché', '', 'service', 'servizio'),
      fc.oneof(
        validArn,
        fc.constantFrom(
          'arn:aws:ecs:eu-west-1:123456789012:service/shop/web',
          'arn:aws:ecs:eu-west-1:123456789012:service/web',
          'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/shop/services/web/events?region=eu-west-1',
        ),
      ),
      fc.constantFrom('', 'lang:it', 'cluster:x', 'junk'),
    )
    .map((w) => w.join(' ')),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.array(word, { maxLength: 6 }).map((w) => w.join(' ')),
  fc.array(word, { maxLength: 6 }).map((w) => w.join('\n\t  ')),
);

/** An ECS task state change event, its fields real or not. */
const eventish = fc.record(
  {
    'detail-type': fc.constantFrom('ECS Task State Change', 'EC2 Instance State-change Notification'),
    source: fc.constantFrom('aws.ecs', 'aws.ec2'),
    account,
    region,
    detail: fc.record(
      {
        taskArn: fc.oneof(arnLike, fc.jsonValue()),
        clusterArn: fc.oneof(fc.string(), fc.constant(`arn:aws:ecs:eu-west-1:${ALLOWED}:cluster/web`)),
        group: fc.oneof(fc.string(), fc.integer()),
        stoppedReason: fc.string(),
        containers: fc.oneof(fc.array(fc.record({ name: fc.string(), image: fc.anything() })), fc.anything()),
        attachments: fc.anything(),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);
const textish = fc.oneof(
  fc.string(),
  fc
    .array(
      fc.oneof(
        word,
        fc.constantFrom(
          'Account: 431122334455',
          'Region: eu-west-1',
          'task/web/',
          '```',
          '{',
          '}',
          '&lt;',
          '&amp;',
        ),
      ),
      {
        maxLength: 10,
      },
    )
    .map((w) => w.join(' ')),
  fc.jsonValue().map((v) => `\`\`\`${JSON.stringify(v)}\`\`\``),
  eventish.map((e) => JSON.stringify(e, null, 2)),
);
const blockish = fc.oneof(
  fc.anything(),
  fc.record(
    {
      type: fc.constantFrom('section', 'context', 'rich_text', 'header', 'actions', 'code'),
      text: fc.oneof(textish, fc.record({ type: fc.constant('mrkdwn'), text: textish })),
      fields: fc.array(fc.oneof(textish, fc.record({ text: textish }), fc.anything()), { maxLength: 3 }),
      elements: fc.array(fc.anything(), { maxLength: 3 }),
      code: textish,
    },
    { requiredKeys: [] },
  ),
);
const messageish = fc.record(
  {
    type: fc.constant('message'),
    subtype: fc.constantFrom(undefined, 'bot_message', 'message_changed', 'channel_join'),
    bot_id: fc.constantFrom(undefined, 'B0ALERTS1', 'B0UNKNOWN'),
    text: textish,
    attachments: fc.array(
      fc.oneof(
        fc.anything(),
        fc.record(
          {
            title: textish,
            text: textish,
            fallback: textish,
            fields: fc.array(fc.record({ title: fc.string(), value: textish })),
            blocks: fc.array(blockish),
          },
          { requiredKeys: [] },
        ),
      ),
      { maxLength: 3 },
    ),
    blocks: fc.array(blockish, { maxLength: 3 }),
    metadata: fc.record(
      { event_type: fc.string(), event_payload: fc.oneof(fc.anything(), eventish) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['type'] },
);

/** A translated message: never a raw key, never an unfilled placeholder, never a stack trace. */
function expectClear(text: string): void {
  expect(text.trim().length).toBeGreaterThan(0);
  expect(text).not.toMatch(/^(slack|common|errors)[:.][\w.:-]+$/);
  expect(text).not.toMatch(/\{\{\w+\}\}/);
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

// ---------------------------------------------------------------------------------------------------------------

describe('the alert extractor on anything', () => {
  it('never throws, and every task it returns is a valid task ARN that parses to itself', () => {
    fc.assert(
      fc.property(messageish, (msg) => {
        const text = flattenMessage(msg as never);
        expect(typeof text).toBe('string');
        const found = findTasksInMessage(msg as never);
        expect(found.tasks.length).toBeLessThanOrEqual(MAX_TASKS_PER_ALERT);
        expect(found.more).toBeGreaterThanOrEqual(0);
        for (const t of found.tasks) {
          expect(t.target.account).toMatch(/^\d{12}$/);
          const again = parseTaskTarget(t.target.taskArn!, { cluster: t.target.cluster });
          expect(again.taskId).toBe(t.target.taskId);
          expect(again.account).toBe(t.target.account);
          expect(again.region).toBe(t.target.region);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('never throws on arbitrary JSON, escaped or not, however deeply nested', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.boolean(), (v, escaped) => {
        let s = JSON.stringify(v);
        if (escaped) s = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
        findTasks(s);
        findTasks(`{${s}`);
        findTasksInMessage({ text: '', metadata: { event_payload: v } });
      }),
      { numRuns: 1500 },
    );
  });

  it('finds a task ARN whatever surrounds it, once separated by whitespace or punctuation', () => {
    const valid = fc
      .tuple(
        fc.constantFrom('eu-west-1', 'eu-south-1', 'us-gov-west-1'),
        fc.stringMatching(/^\d{12}$/),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/),
        fc.string({ unit: hex, minLength: 32, maxLength: 32 }),
      )
      .map(([r, a, c, id]) => ({
        arn: `arn:${r.startsWith('us-gov') ? 'aws-us-gov' : 'aws'}:ecs:${r}:${a}:task/${c}/${id}`,
        id,
      }));
    const sep = fc.constantFrom(' ', '\n', '\t', '`', '*', '"', ',', '(', ')', ' > ', ': ');
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        sep,
        valid,
        sep,
        fc.string({ maxLength: 40 }),
        (pre, l, { arn, id }, r, post) => {
          const found = findTasks(`${pre}${l}${arn}${r}${post}`);
          expect(found.tasks.map((t) => t.target.taskId)).toContain(id);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('the command parser on anything', () => {
  const en = translator('en');
  const it_ = translator('it');
  it('never throws, and says why in words both languages have', () => {
    fc.assert(
      fc.property(commandText, (text) => {
        const parsed = parseCommandText(text);
        expect(['help', 'why', 'service', 'usage']).toContain(parsed.kind);
        if (parsed.kind === 'usage' && parsed.reason) {
          for (const t of [en, it_]) expectClear(t(parsed.reason.key, parsed.reason.params ?? {}));
        }
        if (parsed.kind === 'why' || parsed.kind === 'service') {
          expect(parsed.ref.length).toBeGreaterThan(0);
          try {
            if (parsed.kind === 'why') parseTaskTarget(parsed.ref, parsed.opts);
            else parseServiceTarget(parsed.ref, parsed.opts);
          } catch (err) {
            expect(isUserError(err)).toBe(true);
            if (isUserError(err)) for (const t of [en, it_]) expectClear(t(err.key, err.params));
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The handlers, wired as the app wires them (buildSlackApp), Slack's Web API from the local stand-in, and a
// client pool that records every request for AWS clients and refuses to hand any out.

class RecordingPool extends ClientPool {
  readonly asked: string[] = [];
  override get(account: string | undefined, region: string, _partition: Partition, requester: string): never {
    this.asked.push(`${account}/${region}/${requester}`);
    throw new Error('no AWS in this test');
  }
  override async warmUp(account: string | undefined, region: string): Promise<never> {
    this.asked.push(`${account}/${region}/warm-up`);
    throw new Error('no AWS in this test');
  }
}

describe('the Slack handlers on anything', () => {
  let slack: FakeSlack;
  let deps: SlackDeps;
  let pool: RecordingPool;
  let client: WebClient;
  const config = defaultConfig({
    roleNameTemplate: 'ecs-pull-diagnostics',
    accounts: { [OTHER]: { roleArn: `arn:aws:iam::${OTHER}:role/x` } },
    aws: { maxAttempts: 1, callTimeoutMs: 1000, deadlineMs: 2000, sessionDurationSeconds: 3600 },
    slack: {
      mode: 'http',
      botToken: 'xoxb-property',
      signingSecret: 'property-signing-secret',
      port: 0,
      alertSources: { botIds: ['B0ALERTS1'], appIds: [], channels: [] },
      channels: { C0LIMITED1: { accounts: [ALLOWED] } },
      defaultAccounts: ['*'],
      // Hundreds of requests from one person: rate limits have their own tests (slack-rate-limit.test.ts).
      limits: {
        user: { burst: 100_000, perMinute: 60_000 },
        channel: { burst: 100_000, perMinute: 60_000 },
        account: { burst: 100_000, perMinute: 60_000 },
      },
    },
  });

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    pool = new RecordingPool(config, {
      baseCredentials: async () => ({ accessKeyId: 'x', secretAccessKey: 'y' }),
    });
    ({ deps } = await buildSlackApp(config, {
      pool,
      log: captureLog('fatal').log,
      pace: { intervalMs: 0, burst: 100, retries: 0 },
      slackRetries: { retries: 0, factor: 1, minTimeout: 10, maxTimeout: 10 },
    }));
    client = new WebClient('xoxb-property', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(async () => {
    await slack?.stop();
  });

  /** Whether a command text may lead to AWS: a valid task ARN of an account this channel may diagnose. */
  function mayReachAws(text: string, channel: string): boolean {
    const parsed = parseCommandText(text);
    if (parsed.kind !== 'why' && parsed.kind !== 'service') return false;
    try {
      if (parsed.kind === 'why') {
        const t = parseTaskTarget(parsed.ref, parsed.opts);
        return !!t.account && mayDiagnose(config, pool, channel, t.account, t.partition);
      }
      // A service named without its account takes the channel's, when it may read exactly one.
      const t = parseServiceTarget(parsed.ref, parsed.opts);
      const account = checkAccount(config, channel, t, undefined);
      return !!account && mayDiagnose(config, pool, channel, account, t.partition);
    } catch {
      return false;
    }
  }

  it('a command: exactly one clear answer, and AWS only for a valid task or service the channel may diagnose', async () => {
    let seen = 0;
    await fc.assert(
      fc.asyncProperty(commandText, fc.constantFrom('C0ANYWHERE', 'C0LIMITED1'), async (text, channel) => {
        const asked = pool.asked.length;
        const posts = slack.callsOf('chat.postMessage').length;
        const answers: string[] = [];
        const respond = (async (m: string | { text?: string }) => {
          answers.push(typeof m === 'string' ? m : (m.text ?? ''));
        }) as unknown as RespondFn;
        await handleCommand(
          deps,
          { text, channel_id: channel, user_id: 'U0PROPERTY', team_id: 'T0PROPERTY' },
          client,
          respond,
        );
        expect(answers).toHaveLength(1);
        expectClear(answers[0]!);
        const touched = pool.asked.length > asked;
        expect(touched).toBe(mayReachAws(text, channel));
        if (touched) seen++;
        // Nothing is posted in the channel for a request that did not produce a report.
        expect(slack.callsOf('chat.postMessage').length).toBe(posts);
      }),
      { numRuns: 400 },
    );
    // The generators do reach the valid case now and then, so the property is about both sides.
    expect(seen).toBeGreaterThan(0);
  });

  it('a message event: never throws; no AWS and no reply unless it is an alert naming a valid task', async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(messageish, fc.integer({ min: 1, max: 1e9 }), async (msg, n) => {
        const asked = pool.asked.length;
        const posts = slack.callsOf('chat.postMessage').length;
        const event = {
          ...msg,
          ts: `1764400000.${String(n).padStart(9, '0')}`,
          channel: 'C0ANYWHERE',
        } as never;
        await handleAlertMessage(deps, event, { event_id: `Ev${n}` }, { botId: BOT_ID }, client);
        const found = findTasksInMessage(msg as never);
        const alertSource = msg.bot_id === 'B0ALERTS1';
        if (!alertSource || !found.tasks.length) {
          expect(pool.asked.length).toBe(asked);
          expect(slack.callsOf('chat.postMessage').length).toBe(posts);
        } else {
          // An alert naming tasks gets one reply (here: why AWS could not be read), never more.
          expect(slack.callsOf('chat.postMessage').length - posts).toBeLessThanOrEqual(1);
          answered++;
        }
      }),
      { numRuns: 400 },
    );
    expect(answered).toBeGreaterThan(0);
  });
});
