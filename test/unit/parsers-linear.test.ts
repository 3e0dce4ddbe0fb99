/**
 * Every parser of Slack-supplied text (message text, attachments and blocks, mentions, the slash command's text,
 * the stop reasons of a pasted event) finishes in linear time: adversarial input up to Slack's 40,000 characters
 * (repetitions of the prefixes its patterns start with, with and without the labels that switch patterns on)
 * stays under a generous bound per call. Every app message in every channel the bot is in is parsed, configured
 * alert source or not: one slow message would stall every request. The parsers rewritten for this answer exactly
 * what the regexes they replace answered, on ordinary input and on random input built from the same pieces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanReference } from '../../src/aws/target.js';
import { consoleTaskRefs } from '../../src/aws/task-links.js';
import { classify } from '../../src/diagnosis/classify.js';
import { findTasks } from '../../src/slack/alert.js';
import { mentionWords, withoutMentions } from '../../src/slack/events/app-mention.js';
import {
  adversarial,
  inputsOf,
  type Parser,
  parsers,
  SLACK_TEXT_LIMIT,
  timeOf,
} from '../helpers/adversarial.js';

/** Per call, on a shared 2-core machine; a linear parser takes 1-3 ms on 40,000 characters. */
const BOUND_MS = 50;

const slowest = (p: Parser, text: string) => timeOf(() => p.run(text), 3, BOUND_MS);

const adversarialText = (p: Parser) =>
  fc
    .record({
      head: fc.constantFrom(...p.heads),
      units: fc.array(fc.constantFrom(...p.units), { minLength: 1, maxLength: 3 }),
      noise: fc.string({ maxLength: 3 }),
      length: fc.oneof(
        fc.integer({ min: 1, max: SLACK_TEXT_LIMIT }),
        fc.constant(SLACK_TEXT_LIMIT),
        fc.constant(p.limit ?? SLACK_TEXT_LIMIT),
      ),
      tail: fc.constantFrom('', 'y', '>', '\n', ' ', '}', '"'),
    })
    .map(({ head, units, noise, length, tail }) =>
      adversarial(head, units.join('') + noise, length, p.lines, tail),
    );

describe('parsers of Slack-supplied text run in linear time', () => {
  for (const p of parsers) {
    const limit = p.limit ?? SLACK_TEXT_LIMIT;
    for (const length of [...new Set([SLACK_TEXT_LIMIT, limit])]) {
      it(`${p.name}: every adversarial family at ${length.toLocaleString('en')} characters under ${BOUND_MS} ms`, () => {
        p.run('warm-up <@U1> arn:aws:ecs:eu-west-1:123456789012:task/web/0123456789abcdef0123456789abcdef');
        const inputs = inputsOf(p, length);
        expect(inputs.every((x) => x.text.length === length)).toBe(true);
        const slow = inputs
          .map((input) => ({ input: input.name, ms: slowest(p, input.text) }))
          .filter((x) => x.ms >= BOUND_MS);
        expect(slow).toEqual([]);
      });
    }

    it(`${p.name}: random adversarial text up to ${limit.toLocaleString('en')} characters under ${BOUND_MS} ms`, () => {
      fc.assert(
        fc.property(adversarialText(p), (text) => {
          expect(text.length).toBeLessThanOrEqual(limit);
          expect(slowest(p, text)).toBeLessThan(BOUND_MS);
        }),
        { numRuns: 40 },
      );
    });
  }
});

/** Random text from the pieces a pattern is about, and the characters around them. */
const pieced = (pieces: string[], maxLength = 14) =>
  fc.array(fc.constantFrom(...pieces), { maxLength }).map((p) => p.join(''));

describe('the rewritten parsers answer as the regexes they replace', () => {
  it('mentions: as /<@[A-Z0-9]+(?:\\|[^>]*)?>/g replaced by a space', () => {
    const old = (s: string) => s.replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/g, ' ');
    for (const s of [
      '<@U0ECSPULL> why lang:it',
      'hey <@U0ECSPULL|ecs-pull> why',
      '<@U1><@U2|a b>x<@u3> <@> <@U4|<@U5> >',
      '<@W0123ABC|Anna Rossi> <!here> <#C0123|incidents>',
      '',
    ])
      expect(withoutMentions(s)).toBe(old(s));
    fc.assert(
      fc.property(
        fc.oneof(
          pieced(['<@', '<', '@', 'U', 'A', '0', 'a', '|', '>', ' ', '\n', 'x', '<@U0ECSPULL>']),
          fc.string(),
        ),
        (s) => {
          expect(withoutMentions(s)).toBe(old(s));
        },
      ),
      { numRuns: 3000 },
    );
    expect(mentionWords('<@U0ECSPULL> why <@U0ECSPULL|ecs-pull>  lang:it')).toEqual(['why', 'lang:it']);
  });

  it('console task URLs: as clusters/(C)/tasks/(ID)(?![0-9a-f-])[^\\s]*?[?&]region=([a-z0-9-]+)', () => {
    const ID = '0123456789abcdef0123456789abcdef';
    const old =
      /clusters\/([A-Za-z0-9_-]{1,255})\/tasks\/((?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))(?![0-9a-f-])[^\s]*?[?&]region=([a-z0-9-]+)/g;
    const expected = (s: string) =>
      [...s.matchAll(old)].map(([, cluster, id, region]) => ({ cluster, id, region }));
    for (const s of [
      `https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/web/tasks/${ID}/configuration?region=eu-west-1`,
      `https://console.aws.amazon.com/ecs/home?region=eu-south-1#/clusters/pay/tasks/${ID}/details`,
      `<https://x.console.aws.amazon.com/ecs/v2/clusters/a/tasks/${ID}/logs?region=us-east-1|open> and clusters/b/tasks/${ID}?x=1&region=eu-west-1`,
      `clusters/a/tasks/${ID}/x clusters/b/tasks/${ID}?region=eu-west-1`,
      `clusters/a/tasks/${ID}?region=_&region=eu-west-2 clusters/c/tasks/${ID}&region=`,
    ])
      expect(consoleTaskRefs(s)).toEqual(expected(s));
    fc.assert(
      fc.property(
        pieced(
          [
            'clusters/',
            'web',
            'a-b_c',
            '/tasks/',
            ID,
            '0123',
            '/',
            '?',
            '&',
            'region=',
            'eu-west-1',
            '_',
            ' ',
            '\n',
            'x',
            '#',
            '-',
            `clusters/web/tasks/${ID}`,
            '?region=eu-west-1',
          ],
          16,
        ),
        (s) => {
          expect(consoleTaskRefs(s)).toEqual(expected(s));
        },
      ),
      { numRuns: 3000 },
    );
    // And through the alert reader, as before.
    const { tasks } = findTasks(
      `Account: 123456789012\n<https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/web/tasks/${ID}/configuration?region=eu-west-1|open>`,
    );
    expect(tasks.map((t) => t.target.taskArn)).toEqual([`arn:aws:ecs:eu-west-1:123456789012:task/web/${ID}`]);
  });

  it('task references: trailing punctuation as /[\\s"\'`“”‘’)\\]}.,;:!?…]+$/u removed', () => {
    const old = (input: string) => {
      let s = input.normalize('NFKC').trim();
      for (let i = 0; i < 4; i++) {
        const before = s;
        s = s.replace(/^[\s"'`“”‘’([{]+/u, '').replace(/[\s"'`“”‘’)\]}.,;:!?…]+$/u, '');
        const slack = /^<([^<>|]+)(?:\|[^<>]*)?>$/.exec(s);
        if (slack) s = slack[1]!;
        if (s === before) break;
      }
      return s;
    };
    const arn = 'arn:aws:ecs:eu-west-1:123456789012:task/web/0123456789abcdef0123456789abcdef';
    for (const s of [arn, `"${arn}".`, `(<${arn}|task>),`, `“${arn}”…`, ` ${arn} !?`, '', '...', `<${arn}>`])
      expect(cleanReference(s)).toBe(old(s));
    fc.assert(
      fc.property(
        fc.oneof(
          pieced([
            arn,
            'x',
            '.',
            ',',
            ';',
            ':',
            '!',
            '?',
            '…',
            ' ',
            '\t',
            '"',
            "'",
            '`',
            '“',
            '”',
            '(',
            ')',
            ']',
            '}',
            '<',
            '>',
            '|',
            '😀',
            '\u00a0',
          ]),
          fc.string(),
          fc.string({ unit: 'binary' }),
        ),
        (s) => {
          expect(cleanReference(s)).toBe(old(s));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('stop reasons: the S3 layer bucket is still named, in every region form', () => {
    for (const region of [
      'us-east-1',
      'eu-south-1',
      'ap-southeast-5',
      'us-gov-west-1',
      'cn-northwest-1',
      'mx-central-1',
    ]) {
      const host = `prod-${region}-starport-layer-bucket.s3.${region}.amazonaws.com`;
      const c = classify(
        `CannotPullContainerError: failed to copy: httpReadSeeker: failed open: unexpected status code ${host}/x: 403 Forbidden`,
      );
      expect(c.causes[0]!.id).toBe('vpc-endpoint');
      expect(c.causes[0]!.fragments).toContain(host);
    }
  });
});
