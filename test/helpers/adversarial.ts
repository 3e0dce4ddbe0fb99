/**
 * Text crafted to make the bot's parsers slow: every parser that reads what Slack hands the bot (message text,
 * attachments and blocks, slash command text, mentions, the stop reasons inside a pasted EventBridge event), fed
 * repetitions of the prefixes its patterns start with, the way a backtracking regex goes quadratic. Shared by the
 * property test (test/unit/parsers-linear.test.ts) and the benchmark (bench/parsers.ts).
 */
import { parseServiceTarget, parseTaskDefinitionRef } from '../../src/aws/service-target.js';
import { parseTaskTarget } from '../../src/aws/target.js';
import { classify } from '../../src/diagnosis/classify.js';
import { findTasksInMessage, MAX_TEXT } from '../../src/slack/alert.js';
import { parseCommandText } from '../../src/slack/commands/parse.js';
import { mentionWords } from '../../src/slack/events/app-mention.js';
import { findServiceAlertsInMessage } from '../../src/slack/service-alert.js';

/** Slack's own limit on a message's text (longer text is truncated by Slack). */
export const SLACK_TEXT_LIMIT = 40_000;

const ID = '0123456789abcdef0123456789abcdef';

export interface Parser {
  name: string;
  run(text: string): unknown;
  /** The units its adversarial inputs repeat. */
  units: readonly string[];
  /** What goes before the repetitions (a label that switches a pattern on). */
  heads: readonly string[];
  /** Split into lines (classify reads at most 20 segments of 4,000 characters). */
  lines?: boolean;
  /**
   * The most text it can be given, when that is more than Slack's 40,000 characters of message text: an alert's
   * attachments and blocks come on top of its text, up to what the alert reader searches (MAX_TEXT).
   */
  limit?: number;
}

export const parsers: readonly Parser[] = [
  {
    name: 'mention words (app_mention)',
    run: (s) => mentionWords(s),
    units: ['<@UAAAA|', '<@UAAAA', '<@', '<@U|', '<@U|>', '<@A', '<', '@', '|', 'A'],
    heads: ['', '<@U0ECSPULL> why ', '<@U|'],
  },
  {
    name: 'alert message (flatten + tasks)',
    run: (s) => findTasksInMessage({ text: s }),
    limit: MAX_TEXT,
    units: [
      `https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/web/tasks/${ID}/`,
      `clusters/web/tasks/${ID}?region=_`,
      `clusters/web/tasks/${ID}?`,
      'https://x.console.aws.amazon.com/ecs/',
      'clusters/',
      'arn:aws:ecs:',
      'arn:aws:ecs:eu-west-1:123456789012:task/',
      `arn:aws:ecs:eu-west-1:123456789012:task/${'a'.repeat(255)}/`,
      `task/${'a'.repeat(255)}/`,
      'task/web/',
      '<@UAAAA|',
      '<a|',
      '&lt;@U|',
      '{"a":',
      '{"detail":{"taskArn":"arn:aws:ecs:',
      '"\\',
      'account id ',
      'account',
      'region: ',
      'cluster name= ',
      '_',
    ],
    heads: ['', 'Account: 123456789012\n', 'Account: 123456789012 Region: eu-west-1\n', '{'],
  },
  {
    name: 'service alert (flatten + services)',
    run: (s) => findServiceAlertsInMessage({ text: s }),
    limit: MAX_TEXT,
    units: [
      'arn:aws:ecs:eu-west-1:123456789012:service/',
      `arn:aws:ecs:eu-west-1:123456789012:service/${'a'.repeat(255)}/`,
      `service/${'a'.repeat(255)}/`,
      '(service ',
      `(service ${'a'.repeat(255)}) `,
      '(service web) (deployment ecs-svc/',
      'CloudWatch Alarm | ',
      `CloudWatch Alarm | ${'a'.repeat(300)}`,
      'ClusterName = ',
      'ServiceName=',
      'Service name: ',
      'service ',
      'state ',
      'state: ',
      ' to ',
      '-> ',
      'Alarm Name: ',
      'ALARM ',
      '?region=',
      '{"detail-type":"ECS Service Action","resources":["arn:aws:ecs:',
      '{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Dimensions":[',
      '{"a":',
      '"\\',
      ' ',
    ],
    heads: [
      '',
      'Account: 123456789012 Region: eu-west-1 Cluster: shop deployment failed\n',
      'CloudWatch Alarm | a | eu-west-1 | Account: 123456789012 ALARM ServiceName = web\n',
      '{',
    ],
  },
  {
    name: 'service reference (slash command, mention)',
    run: (s) => {
      try {
        return parseServiceTarget(s, { region: 'eu-west-1', account: '123456789012' });
      } catch {
        return undefined;
      }
    },
    units: ['.', ',', '"', '(', ')', '…', ':', '<', 'a|', '<a|', '“', ' ', '/', 'a/', 'clusters/a/services/'],
    heads: ['', 'arn:', '<', 'https://eu-west-1.console.aws.amazon.com/ecs/v2/', 'a/'],
  },
  {
    name: 'slash command (text + task reference)',
    run: (s) => {
      const p = parseCommandText(s);
      if (p.kind !== 'why') return p;
      try {
        return parseTaskTarget(p.ref, p.opts);
      } catch {
        return undefined;
      }
    },
    units: ['.', ',', '"', '(', ')', '…', ':', '<', 'a|', '<a|', '“', ' ', 'lang:x ', 'cluster:'],
    heads: ['why x', 'why arn:', 'why <', 'why ', 'arn:'],
  },
  {
    name: 'slash command check (text + service and task definition references)',
    run: (s) => {
      const p = parseCommandText(s);
      if (p.kind !== 'check') return p;
      try {
        return [
          parseServiceTarget(p.service, { ...p.opts, defaultRegion: 'eu-west-1' }),
          p.taskDefinition ? parseTaskDefinitionRef(p.taskDefinition) : undefined,
        ];
      } catch {
        return undefined;
      }
    },
    units: [
      '.',
      ':',
      '/',
      '<',
      'a|',
      ' ',
      'web:',
      'cluster:',
      'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/a/services/',
      '/clusters/a/services/a',
      'arn:aws:ecs:eu-west-1:123456789012:service/',
    ],
    heads: ['check x', 'check shop/', 'check arn:', 'check https://', 'check <', 'controlla '],
  },
  {
    name: 'stop reason (classify)',
    run: (s) => classify(s),
    units: [
      'prod-',
      'prod-a',
      ', ',
      '..',
      'client.timeout exceeded',
      "The task can't pull the image. check ",
      'lookup a.a1',
      'lookup ',
      'failed to resolve ref a',
      'pull access denied for a',
      'manifest for ',
      'repository a',
      'image x ',
      "cannot pull '",
      'arn:aws',
      'dial tcp 1.1.1.1',
      'https://a',
      '123456789012.dkr.ecr.',
      'a"',
      'failed to resolve "a',
      'fs-0123456789.efs.',
      'mount.nfs4: ',
      'awslogs-a',
      'invalid log a',
      'failed to create cloudwatch log ',
      'connection issue between the task and aws a ',
      'there is a connection ',
      'the task cannot pull a',
      ' from the registry ',
      'https://prod-a-starport',
      "doesn't have the permissions to call a:",
      'httpreadseeker: failed open ',
    ],
    heads: [
      '',
      'CannotPullContainerError: ',
      'ResourceInitializationError: ',
      'ResourceInitializationError: failed to validate logger args: ',
      'ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: ',
    ],
    lines: true,
  },
];

/** `unit` repeated after `head`, then `tail`: `length` characters in all, in lines of 4,000 when `lines`. */
export function adversarial(head: string, unit: string, length: number, lines = false, tail = ''): string {
  const room = Math.max(0, length - tail.length);
  const body = (n: number) =>
    unit.repeat(Math.ceil(Math.max(0, n) / Math.max(1, unit.length))).slice(0, Math.max(0, n));
  if (!lines) return `${head}${body(room - head.length)}`.slice(0, room) + tail;
  const out: string[] = [];
  let used = 0;
  for (let i = 0; used < room; i++) {
    const line = `${i} ${head}${body(3990 - head.length - String(i).length - 1)}`;
    out.push(line);
    used += line.length + 1;
  }
  return out.join('\n').slice(0, room) + tail;
}

/** Every input family of a parser at `length` characters. */
export function inputsOf(p: Parser, length: number): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = [];
  for (const head of p.heads)
    for (const unit of p.units)
      for (const tail of ['', 'y'])
        out.push({
          name: `${JSON.stringify(head)} + ${JSON.stringify(unit)}…${tail ? ` + ${JSON.stringify(tail)}` : ''}`,
          text: adversarial(head, unit, length, p.lines, tail),
        });
  return out;
}

/** Milliseconds of one call, the least of `tries` (a garbage collection or a busy neighbour is not the parser). */
export function timeOf(run: () => unknown, tries = 3, enough = Number.POSITIVE_INFINITY): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < tries; i++) {
    const t = performance.now();
    run();
    best = Math.min(best, performance.now() - t);
    if (best < enough) break;
  }
  return best;
}
