/** Alert parsing: every alert shape yields its tasks (and events); other text yields none. */
import { describe, expect, it } from 'vitest';
import {
  findTasks,
  findTasksInMessage,
  flattenMessage,
  MAX_TASKS_PER_ALERT,
  unescapeSlack,
} from '../../src/slack/alert.js';
import { type AlertVars, alertFixture, alertFixtureNames } from '../helpers/slack-fixtures.js';

const ACCOUNT = '210987654321';
const REGION = 'eu-south-1';
const ID1 = '3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b';
const ID2 = '0a0b0c0d0e0f00112233445566778899';
const ARN1 = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/payments/${ID1}`;
const ARN2 = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/payments/${ID2}`;
const vars: AlertVars = {
  ACCOUNT,
  REGION,
  CLUSTER: 'payments',
  TASK_ID: ID1,
  TASK_ARN: ARN1,
  TASK_ARN_2: ARN2,
};

const expected: Record<string, { arns: string[]; event: boolean }> = {
  'attachments-fields': { arns: [ARN1], event: false },
  'chatbot-custom-notification': { arns: [ARN1], event: false },
  'console-link': { arns: [ARN1], event: false },
  'eventbridge-json-text': { arns: [ARN1], event: true },
  'lambda-formatter-blocks': { arns: [ARN1], event: false },
  'multi-task': { arns: [ARN1, ARN2], event: false },
  'rich-text': { arns: [ARN1], event: false },
  'sns-envelope': { arns: [ARN1], event: true },
};

describe('findTasksInMessage: every alert shape', () => {
  it('has an expectation for every fixture', () => {
    expect(alertFixtureNames()).toEqual(Object.keys(expected).sort());
  });
  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: ${want.arns.length} task(s)${want.event ? ' with the event' : ''}`, () => {
      const msg = alertFixture(name, vars);
      const found = findTasksInMessage(msg);
      expect(found.tasks.map((t) => t.target.taskArn)).toEqual(want.arns);
      expect(found.more).toBe(0);
      for (const t of found.tasks) {
        expect(t.target).toMatchObject({
          account: ACCOUNT,
          region: REGION,
          cluster: 'payments',
          partition: 'aws',
        });
        expect(!!t.event).toBe(want.event);
      }
    });
  }

  it('keeps the event whole: stop reason unescaped, subnets for the rebuilt context', () => {
    const found = findTasksInMessage(
      alertFixture('eventbridge-json-text', { ...vars, SUBNET: 'subnet-0feedface0000000a' }),
    );
    const ev = found.tasks[0]!.event!;
    expect(ev.account).toBe(ACCOUNT);
    expect(ev.task.stoppedReason).toMatch(/i\/o timeout & gave up$/);
    expect(JSON.stringify(ev.task.attachments)).toContain('subnet-0feedface0000000a');
  });
});

describe('findTasks: what is not an alert', () => {
  it('finds nothing in ordinary text, a task definition ARN or a cluster ARN', () => {
    expect(findTasks('the deploy is stuck again').tasks).toEqual([]);
    expect(findTasks(`arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:12`).tasks).toEqual([]);
    expect(findTasks(`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/payments`).tasks).toEqual([]);
    expect(findTasks(`arn:aws:ecs:${REGION}:${ACCOUNT}:task/payments/not-a-task-id`).tasks).toEqual([]);
  });

  it('does not rebuild task/CLUSTER/ID without both the account and the region', () => {
    expect(findTasks(`task/payments/${ID1}`).tasks).toEqual([]);
    expect(findTasks(`task/payments/${ID1}\nAccount: ${ACCOUNT}`).tasks).toEqual([]);
    expect(findTasks(`task/payments/${ID1}\nRegion: ${REGION}`).tasks).toEqual([]);
    expect(findTasks(`task/payments/${ID1}\nAccount: ${ACCOUNT} Region: ${REGION}`).tasks).toHaveLength(1);
  });

  it('reads old-format ARNs only with a cluster named nearby', () => {
    const old = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${ID1}`;
    expect(findTasks(old).tasks).toEqual([]);
    const found = findTasks(`${old}\nCluster: payments`).tasks;
    expect(found.map((t) => [t.target.cluster, t.target.taskArn])).toEqual([['payments', old]]);
  });

  it('parses pasted JSON with curly quotes, and other partitions', () => {
    const gov = `arn:aws-us-gov:ecs:us-gov-west-1:${ACCOUNT}:task/payments/${ID2}`;
    const text = `“detail”: {“taskArn”: “${gov}”}`;
    expect(findTasks(text).tasks.map((t) => [t.target.partition, t.target.taskArn])).toEqual([
      ['aws-us-gov', gov],
    ]);
  });

  it('lists each task once and caps the count, counting the rest', () => {
    const ids = Array.from({ length: MAX_TASKS_PER_ALERT + 3 }, (_, i) => i.toString(16).padStart(32, 'a'));
    const text = ids.map((id) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/payments/${id}`).join('\n');
    const found = findTasks(`${text}\n${text}`);
    expect(found.tasks).toHaveLength(MAX_TASKS_PER_ALERT);
    expect(found.more).toBe(3);
  });
});

describe('flattenMessage', () => {
  it('reads text, attachments (title, text, fallback, fields, nested blocks) and blocks (fields, context, rich text)', () => {
    const flat = flattenMessage({
      text: 'a &lt;b&gt; &amp; <https://x.example/y|label>',
      attachments: [
        {
          title: 'T',
          fallback: 'F',
          fields: [{ title: 'K', value: 'V' }],
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'NB' } }],
        },
      ],
      blocks: [
        { type: 'section', fields: [{ type: 'mrkdwn', text: 'SF' }] },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'CX' }] },
        {
          type: 'rich_text',
          elements: [{ type: 'rich_text_quote', elements: [{ type: 'text', text: 'RQ' }] }],
        },
      ],
    });
    for (const piece of ['a <b> &', 'https://x.example/y label', 'T', 'F', 'K: V', 'NB', 'SF', 'CX', 'RQ']) {
      expect(flat).toContain(piece);
    }
  });

  it('undoes exactly Slack’s three escapes', () => {
    expect(unescapeSlack('&amp;lt; &lt;&gt;')).toBe('&lt; <>');
  });
});
