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
import { ACTION_RERUN } from '../../src/slack/buttons.js';
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
import { buttonClick, messageShortcut, SlackSender } from '../helpers/slack-requests.js';
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

    describe('what held in the review, kept as regression tests: refused with no AWS call to the other account', () => {
      const theirTask = `arn:aws:ecs:eu-west-1:${THEIRS}:task/prod/${'ef'.repeat(16)}`;
      const theirId = 'ef'.repeat(16);
      let n = 0;
      /** Each case asks as a user of its own, so that no per-user limit interferes. */
      const user = () => `U0REG${String(++n).padStart(5, '0')}`;
      const untouched = (before: number) => expect(pool.accounts.slice(before)).not.toContain(THEIRS);
      const refusedIn = (calls: RecordedCall[]) =>
        expect(everything(calls)).toContain(`may not diagnose tasks of account ${THEIRS}`);

      async function mention(text: string, threadTs?: string) {
        const who = user();
        const m = slack.addMessage(C_ALLOWED, {
          type: 'message',
          user: who,
          text: `<@${BOT_USER_ID}> ${text}`,
          ...(threadTs ? { thread_ts: threadTs } : {}),
        });
        await send.event(
          {
            type: 'app_mention',
            user: who,
            text: m.text,
            ts: m.ts,
            channel: C_ALLOWED,
            event_ts: m.ts,
            ...(threadTs ? { thread_ts: threadTs } : {}),
          },
          nextEventId(),
        );
        return slack.waitFor(
          () => {
            const r = repliesIn(threadTs ?? m.ts);
            return r.length ? r : undefined;
          },
          30_000,
          'mention reply',
        );
      }

      async function command(text: string, id: string) {
        await send.command({
          text,
          channel_id: C_ALLOWED,
          user_id: user(),
          response_url: slack.responseUrl(id),
        });
        return slack.waitFor(() => slack.responses.find((x) => x.id === id), 10_000, 'command answer');
      }

      it('a slash command naming the other account', async () => {
        const before = pool.accounts.length;
        const r = await command(`why ${theirTask}`, 'reg-cmd');
        expect(String(r.body.text)).toContain(`may not diagnose tasks of account ${THEIRS}`);
        untouched(before);
      });

      it('an old-format ARN with cluster:', async () => {
        const before = pool.accounts.length;
        const r = await command(
          `why arn:aws:ecs:eu-west-1:${THEIRS}:task/${theirId} cluster:prod`,
          'reg-old',
        );
        expect(String(r.body.text)).toContain(`may not diagnose tasks of account ${THEIRS}`);
        untouched(before);
      });

      it('a bare task id with account:', async () => {
        const before = pool.accounts.length;
        const r = await command(`why ${theirId} cluster:prod region:eu-west-1 account:${THEIRS}`, 'reg-bare');
        expect(String(r.body.text)).toContain(`may not diagnose tasks of account ${THEIRS}`);
        untouched(before);
      });

      it('a mention in a thread whose first message names the other account', async () => {
        const before = pool.accounts.length;
        const parent = slack.addMessage(C_ALLOWED, {
          type: 'message',
          bot_id: 'B0UNLISTED',
          text: `Task failed: ${theirTask}`,
        });
        refusedIn(await mention('why', parent.ts));
        untouched(before);
      });

      it('one mention naming an allowed task and one of the other account: only the allowed one is diagnosed', async () => {
        const before = pool.accounts.length;
        const replies = await mention(`why ${crossTask.taskArn} ${theirTask}`);
        refusedIn(replies);
        expect(pool.accounts.slice(before)).toContain(OURS);
        untouched(before);
      });

      it('a console URL of a task in the other account', async () => {
        const before = pool.accounts.length;
        refusedIn(
          (await mention(
            `why https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/tasks/${theirId}/configuration?region=eu-west-1&account=${THEIRS}`,
          ).catch(async () => [])) as RecordedCall[],
        );
        untouched(before);
      });

      it('an alert source naming a task of the other account (full ARN, or task/CLUSTER/ID with its account)', async () => {
        const before = pool.accounts.length;
        for (const text of [
          `Task stopped: ${theirTask}`,
          `Involved resources: task/prod/${theirId}\nAccount: ${THEIRS} Region: eu-west-1`,
        ]) {
          const alert = slack.addMessage(C_ALLOWED, {
            type: 'message',
            subtype: 'bot_message',
            bot_id: ALERT_BOT,
            text,
          });
          await send.event({ ...alert, channel: C_ALLOWED, event_ts: alert.ts }, nextEventId());
          refusedIn(
            await slack.waitFor(
              () => {
                const r = repliesIn(alert.ts);
                return r.length ? r : undefined;
              },
              30_000,
              'alert refusal',
            ),
          );
        }
        untouched(before);
      });

      it('the message shortcut on a message naming the other account', async () => {
        const before = pool.accounts.length;
        const who = user();
        const msg = slack.addMessage(C_ALLOWED, { type: 'message', user: who, text: theirTask });
        await send.interaction(
          messageShortcut({
            channel: C_ALLOWED,
            user: who,
            message: { type: 'message', user: who, text: msg.text, ts: msg.ts },
            responseUrl: slack.responseUrl('reg-shortcut'),
          }),
        );
        refusedIn(
          await slack.waitFor(
            () => {
              const r = repliesIn(msg.ts);
              return r.length ? r : undefined;
            },
            30_000,
            'shortcut refusal',
          ),
        );
        untouched(before);
      });

      it('a Re-run button carried to a channel that may not read the account, and a stale one naming the other account', async () => {
        const replies = await mention(`why ${crossTask.taskArn}`);
        const reply = replies.at(-1)!;
        const blocks =
          (reply.args as { blocks?: Array<{ elements?: Array<{ action_id?: string; value?: string }> }> })
            .blocks ?? [];
        const value = blocks
          .flatMap((b) => b.elements ?? [])
          .find((e) => e.action_id === ACTION_RERUN)?.value;
        expect(value).toBeTruthy();
        // The button's value (its state key, its ARNs) in a channel with no access: checked against that channel.
        let before = pool.accounts.length;
        await send.interaction(
          buttonClick({
            channel: 'C0OTHERCHN',
            user: user(),
            message: { ts: String(reply.args.ts ?? '1.1') },
            actionId: ACTION_RERUN,
            value,
            responseUrl: slack.responseUrl('reg-rerun-elsewhere'),
          }),
        );
        await new Promise((r) => setTimeout(r, 1000));
        expect(pool.accounts.length).toBe(before);
        // A state key that is gone: the ARNs the button carries are diagnosed again, and pass the channel's rules.
        before = pool.accounts.length;
        const stale = JSON.stringify({ ...JSON.parse(value!), k: 'ffffffffffffffffffff', a: [theirTask] });
        await send.interaction(
          buttonClick({
            channel: C_ALLOWED,
            user: user(),
            message: { ts: String(reply.args.ts ?? '1.1') },
            actionId: ACTION_RERUN,
            value: stale,
            responseUrl: slack.responseUrl('reg-rerun-stale'),
          }),
        );
        await new Promise((r) => setTimeout(r, 1000));
        untouched(before);
      });

      it('messages that are not a configured source are ignored: a person, an edit, a file, a broadcast, an unlisted bot', async () => {
        const before = pool.accounts.length;
        const postsBefore = slack.callsOf('chat.postMessage').length;
        const who = user();
        const shapes: Array<Record<string, unknown>> = [
          { type: 'message', user: who, text: `why ${crossTask.taskArn}` },
          {
            type: 'message',
            subtype: 'message_changed',
            message: { bot_id: ALERT_BOT, text: crossTask.taskArn },
            bot_id: ALERT_BOT,
          },
          { type: 'message', subtype: 'file_share', user: who, text: crossTask.taskArn },
          {
            type: 'message',
            subtype: 'thread_broadcast',
            user: who,
            text: crossTask.taskArn,
            thread_ts: '1764320000.000001',
          },
          { type: 'message', subtype: 'bot_message', bot_id: 'B0UNLISTED', text: crossTask.taskArn },
        ];
        for (const shape of shapes) {
          const m = slack.addMessage(C_ALLOWED, shape as never);
          await send.event({ ...shape, ts: m.ts, channel: C_ALLOWED, event_ts: m.ts }, nextEventId());
        }
        await new Promise((r) => setTimeout(r, 1500));
        expect(slack.callsOf('chat.postMessage').length).toBe(postsBefore);
        expect(pool.accounts.length).toBe(before);
      });
    });
  },
);
