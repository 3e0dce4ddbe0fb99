/**
 * Security (issue 13) on the real Slack app in HTTP mode (signed requests over real HTTP, a local Slack Web API),
 * moto behind it with two accounts: the channel may read 111111111111 only, while roleNameTemplate would let the
 * bot reach 222222222222 too. Finding 1: what a person pastes never widens what a channel can read. Finding 4:
 * mentions and links planted in alert text come back as text.
 */

import { Writable } from 'node:stream';
import { CreateRepositoryCommand, PutImageCommand, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import type { Partition } from '../../src/aws/partition.js';
import { createLogger } from '../../src/log.js';
import {
  BASE_CREDENTIALS,
  createExecutionRole,
  createNetwork,
  motoAccount,
  runStoppedTask,
  type StoppedTask,
} from '../helpers/aws-scenario.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { liveMarkup, mrkdwnStrings, PAYLOAD } from '../helpers/slack-markup.js';
import { messageShortcut, SlackSender } from '../helpers/slack-requests.js';
import { BOT_USER_ID, FakeSlack, type RecordedCall } from '../helpers/slack-server.js';

const motoUrl = inject('motoUrl');

const OURS = '111111111111';
const THEIRS = '222222222222';
const SECRET = 'test-signing-secret-accounts';
const ALERT_BOT = 'B0ALERTS1';
const C_ALLOWED = 'C0ALLOWED1';
const U_MEMBER = 'U0MEMBER01';
const SECRET_REPO = 'payments-secret-api';
const THEIR_IMAGE = `${THEIRS}.dkr.ecr.eu-west-1.amazonaws.com/${SECRET_REPO}:v9`;

/** Records the account of every client set and role session the app asks for. */
class AccountPool extends ClientPool {
  readonly accounts: string[] = [];
  override get(account: string | undefined, region: string, partition: Partition, requester: string) {
    this.accounts.push(account ?? 'self');
    return super.get(account, region, partition, requester);
  }
  override warmUp(account: string | undefined, region: string, partition: Partition, requester: string) {
    this.accounts.push(account ?? 'self');
    return super.warmUp(account, region, partition, requester);
  }
}

/** An EventBridge ECS Task State Change event, as someone might paste it. */
function pastedEvent(taskArn: string, image: string): string {
  return JSON.stringify({
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: OURS,
    region: 'eu-west-1',
    detail: {
      taskArn,
      clusterArn: `arn:aws:ecs:eu-west-1:${OURS}:cluster/prod`,
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: `CannotPullContainerError: failed to resolve ref ${image}: ${image}: not found`,
      containers: [{ name: 'app', image, lastStatus: 'STOPPED' }],
    },
  });
}

const goneTaskArn = `arn:aws:ecs:eu-west-1:${OURS}:task/prod/${'ab'.repeat(16)}`;

describe.skipIf(!motoUrl)(
  `Slack: a channel reads only its accounts${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let slack: FakeSlack;
    let app: SlackApp;
    let send: SlackSender;
    let pool: AccountPool;
    let crossTask: StoppedTask;
    let seq = 0;
    const nextEventId = () => `Ev0ACCT${String(++seq).padStart(5, '0')}`;
    const repliesIn = (threadTs: string): RecordedCall[] =>
      slack
        .callsOf('chat.postMessage')
        .filter((c) => c.args.channel === C_ALLOWED && c.args.thread_ts === threadTs);
    const everything = (calls: RecordedCall[]) => JSON.stringify(calls.map((c) => c.args));

    beforeAll(async () => {
      useMotoEndpoint(motoUrl!);
      // Their account: a repository with a tag, a lifecycle rule, a similar name, all things worth not leaking.
      const theirs = await motoAccount(motoUrl!, THEIRS);
      await theirs.ecr.send(new CreateRepositoryCommand({ repositoryName: SECRET_REPO }));
      await theirs.ecr.send(new CreateRepositoryCommand({ repositoryName: `${SECRET_REPO}-v2` }));
      await theirs.ecr.send(
        new PutImageCommand({
          repositoryName: SECRET_REPO,
          imageTag: 'v8',
          imageManifest: JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
            config: {
              mediaType: 'application/vnd.docker.container.image.v1+json',
              size: 100,
              digest: `sha256:${'c'.repeat(64)}`,
            },
            layers: [],
          }),
        }),
      );
      await theirs.ecr.send(
        new PutLifecyclePolicyCommand({
          repositoryName: SECRET_REPO,
          lifecyclePolicyText: JSON.stringify({
            rules: [
              {
                rulePriority: 1,
                description: 'secret-rule-text',
                selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 },
                action: { type: 'expire' },
              },
            ],
          }),
        }),
      );
      // Our account: a task pulling their image.
      const ours = await motoAccount(motoUrl!, OURS);
      const net = await createNetwork(ours);
      const role = await createExecutionRole(ours);
      crossTask = await runStoppedTask(ours, net, { executionRoleArn: role, image: THEIR_IMAGE });

      slack = await new FakeSlack().start();
      const config = motoConfig({
        defaultLanguage: 'en',
        slack: {
          mode: 'http',
          botToken: 'xoxb-test-token',
          signingSecret: SECRET,
          apiUrl: slack.apiUrl,
          port: 0,
          alertSources: { botIds: [ALERT_BOT], appIds: [], channels: [] },
          channels: { [C_ALLOWED]: { accounts: [OURS] } },
          defaultAccounts: [],
        },
      });
      pool = new AccountPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
      const sink = new Writable({ write: (_c, _e, cb) => cb() });
      app = await buildSlackApp(config, { pool, log: createLogger('info', sink) });
      const { port } = await app.start();
      send = new SlackSender(`http://127.0.0.1:${port}`, SECRET);
    }, 60_000);

    afterAll(async () => {
      await app?.stop();
      await slack?.stop();
    });

    it('a pasted event in a mention names a task, never its facts: the gone task is not rebuilt, account 222 is never asked', async () => {
      const before = pool.accounts.length;
      const mention = slack.addMessage(C_ALLOWED, {
        type: 'message',
        user: U_MEMBER,
        text: `<@${BOT_USER_ID}> why ${pastedEvent(goneTaskArn, THEIR_IMAGE)}`,
      });
      await send.event(
        {
          type: 'app_mention',
          user: U_MEMBER,
          text: mention.text,
          ts: mention.ts,
          channel: C_ALLOWED,
          event_ts: mention.ts,
        },
        nextEventId(),
      );
      const replies = await slack.waitFor(
        () => {
          const r = repliesIn(mention.ts);
          return r.length ? r : undefined;
        },
        30_000,
        'mention reply',
      );
      const said = everything(replies);
      // ECS no longer shows the task and nothing a person typed stands in for it.
      expect(said).toContain('is no longer visible in cluster prod');
      expect(said).not.toContain('rebuilt from the EventBridge event');
      expect(said).not.toContain(SECRET_REPO);
      expect(said).not.toContain('secret-rule-text');
      expect(said).not.toContain(THEIRS);
      expect(pool.accounts.slice(before)).not.toContain(THEIRS);
      expect(pool.accounts.slice(before)).toContain(OURS);
    });

    it('the message shortcut on a person’s message holding the same JSON does the same', async () => {
      const before = pool.accounts.length;
      const msg = slack.addMessage(C_ALLOWED, {
        type: 'message',
        user: U_MEMBER,
        text: pastedEvent(goneTaskArn, THEIR_IMAGE),
      });
      await send.interaction(
        messageShortcut({
          channel: C_ALLOWED,
          user: U_MEMBER,
          message: { type: 'message', user: U_MEMBER, text: msg.text, ts: msg.ts },
          responseUrl: slack.responseUrl('shortcut-accounts'),
        }),
      );
      const replies = await slack.waitFor(
        () => {
          const r = repliesIn(msg.ts);
          return r.length ? r : undefined;
        },
        30_000,
        'shortcut reply',
      );
      const said = everything(replies);
      expect(said).toContain('is no longer visible in cluster prod');
      expect(said).not.toContain('rebuilt from the EventBridge event');
      expect(said).not.toContain(SECRET_REPO);
      expect(pool.accounts.slice(before)).not.toContain(THEIRS);
    });

    it('a task of an allowed account whose image lives in another account: that check says so, and no call goes there', async () => {
      const before = pool.accounts.length;
      const mention = slack.addMessage(C_ALLOWED, {
        type: 'message',
        user: U_MEMBER,
        text: `<@${BOT_USER_ID}> why ${crossTask.taskArn}`,
      });
      await send.event(
        {
          type: 'app_mention',
          user: U_MEMBER,
          text: mention.text,
          ts: mention.ts,
          channel: C_ALLOWED,
          event_ts: mention.ts,
        },
        nextEventId(),
      );
      const replies = await slack.waitFor(
        () => {
          const r = repliesIn(mention.ts);
          return r.length ? r : undefined;
        },
        30_000,
        'report',
      );
      const said = everything(replies);
      expect(said).toContain(`lives in account ${THEIRS}, which this channel may not read`);
      // Nothing read there: no tags, no lifecycle rule, no near names, no console button into it.
      expect(said).not.toContain('secret-rule-text');
      expect(said).not.toContain(`${SECRET_REPO}-v2`);
      expect(said).not.toContain(`ecr/repositories/private/${THEIRS}`);
      expect(pool.accounts.slice(before)).not.toContain(THEIRS);
    });

    it('mentions and links planted in an alert’s stop reason and image come back as text, in every field', async () => {
      const image = `${OURS}.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2${PAYLOAD}`;
      const alert = slack.addMessage(C_ALLOWED, {
        type: 'message',
        subtype: 'bot_message',
        bot_id: ALERT_BOT,
        text: pastedEvent(goneTaskArn.replace('ab'.repeat(16), 'cd'.repeat(16)), image),
      });
      await send.event({ ...alert, channel: C_ALLOWED, event_ts: alert.ts }, nextEventId());
      const [reply] = await slack.waitFor(
        () => {
          const r = repliesIn(alert.ts);
          return r.length ? r : undefined;
        },
        30_000,
        'alert reply',
      );
      const msg = reply!.args as unknown as { text: string; blocks: never[] };
      const strings = mrkdwnStrings({ text: msg.text, blocks: msg.blocks });
      for (const s of strings) expect(liveMarkup(s), s.slice(0, 300)).toEqual([]);
      expect(msg.text).toContain('&lt;!channel&gt;');
    });

    it('an event posted by a configured alert source still rebuilds a gone task', async () => {
      const image = `${OURS}.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2`;
      const alert = slack.addMessage(C_ALLOWED, {
        type: 'message',
        subtype: 'bot_message',
        bot_id: ALERT_BOT,
        text: pastedEvent(goneTaskArn, image),
      });
      await send.event({ ...alert, channel: C_ALLOWED, event_ts: alert.ts }, nextEventId());
      const replies = await slack.waitFor(
        () => {
          const r = repliesIn(alert.ts);
          return r.length ? r : undefined;
        },
        30_000,
        'alert reply',
      );
      const said = everything(replies);
      expect(said).toContain('the context was rebuilt from the EventBridge event');
      expect(said).toContain(`${OURS}.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2`);
    });
  },
);
