/**
 * Block Kit rendering stays within Slack's limits whatever the report: every layout (full reply, channel
 * summary, several tasks, errors) over a list of reports, small and absurdly large, in both languages, checked
 * by an independent validator. Add reports to `reports` (e.g. the demo scenarios) to cover them too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Language } from '../../src/config.js';
import type { Report } from '../../src/diagnosis/report.js';
import { translator } from '../../src/i18n.js';
import { type Block, clip, fitMessage, joinLines, LIMITS } from '../../src/render/blockkit.js';
import {
  type ReplyItem,
  type ReplyView,
  renderLine,
  renderReply,
  renderSummary,
} from '../../src/render/blocks.js';
import { ACTION_LANG, ACTION_RERUN, decodeActionValue, encodeActionValue } from '../../src/slack/buttons.js';
import { decodeFeedbackValue } from '../../src/slack/feedback.js';
import { ACTION_WATCH } from '../../src/slack/watch-protocol.js';
import { blockKitViolations } from '../helpers/slack-blockkit.js';
import { syntheticReport } from '../helpers/slack-reports.js';

/** The reports every layout is rendered from. */
const reports: Array<[string, Report]> = [
  ['small', syntheticReport()],
  ['many checks', syntheticReport({ fail: 40, warn: 30, unknown: 25, pass: 80, skip: 40 })],
  ['long evidence', syntheticReport({ fail: 6, warn: 4, evidencePerCheck: 60, evidenceLength: 700 })],
  ['many long links', syntheticReport({ fail: 5, linksPerCheck: 80, linkIdLength: 120 })],
  ['links too long for a button', syntheticReport({ fail: 3, linksPerCheck: 4, urlPadding: 3100 })],
  ['long stop message', syntheticReport({ stopLength: 30_000 })],
  ['long causes', syntheticReport({ causes: 8, summaryLength: 6000 })],
  ['no causes', syntheticReport({ causes: 0 })],
  ['no checks', syntheticReport({ fail: 0, warn: 0, unknown: 0, pass: 0, skip: 0, causes: 0 })],
  [
    'everything at once',
    syntheticReport({
      fail: 60,
      warn: 60,
      unknown: 60,
      pass: 200,
      skip: 100,
      evidencePerCheck: 40,
      evidenceLength: 900,
      linksPerCheck: 40,
      linkIdLength: 90,
      stopLength: 50_000,
      causes: 10,
      summaryLength: 4000,
    }),
  ],
];

const langs: Language[] = ['en', 'it'];
const longArns = Array.from(
  { length: 40 },
  (_, i) => `arn:aws:ecs:eu-south-1:210987654321:task/${'c'.repeat(60)}/${i.toString(16).padStart(32, '0')}`,
);

function views(report: Report): Array<[string, ReplyView]> {
  const one: ReplyItem = { kind: 'report', report, id: 'a1b2c3d4' };
  const error: ReplyItem = {
    kind: 'error',
    ref: report.context.taskId,
    message: {
      key: 'slack:errors.task-missing',
      params: { id: 'x'.repeat(5000), cluster: 'c', region: 'r' },
    },
  };
  const actions = { stateKey: 'k'.repeat(40), layout: 'command' as const, arns: longArns };
  return [
    ['full reply with buttons', { items: [one], more: 0, requestedBy: 'U0ASKER01', actions }],
    [
      'full reply, re-run, thread layout',
      {
        items: [one],
        more: 0,
        rerun: { by: 'U0RERUN01', at: 1_764_320_000 },
        actions: { ...actions, layout: 'thread' },
      },
    ],
    ['automatic reply without buttons', { items: [one], more: 0 }],
    [
      'eight tasks and more',
      { items: [...Array.from({ length: 8 }, () => one), error, error], more: 17, actions },
    ],
    ['single error', { items: [error], more: 0, actions }],
  ];
}

function allText(blocks: Block[]): string {
  return JSON.stringify(blocks);
}

describe('renderReply / renderSummary: Block Kit limits over every report, layout and language', () => {
  for (const [name, report] of reports) {
    for (const lang of langs) {
      const t = translator(lang);
      for (const [layout, view] of views(report)) {
        it(`${name} · ${layout} · ${lang}`, () => {
          const reply = renderReply(view, t, lang);
          expect(blockKitViolations(reply)).toEqual([]);
          expect(reply.text.trim()).not.toBe('');
          const summary = renderSummary(view, t);
          expect(blockKitViolations(summary)).toEqual([]);
          if (view.actions) {
            // Re-run and language close the reply, then (under a report) 👍 / 👎, whatever had to be folded.
            const reports = view.items.filter((i) => i.kind === 'report').length;
            const last = reply.blocks.at(-1)!;
            const buttons = view.items.length === 1 && reports === 1 ? reply.blocks.at(-2)! : last;
            expect(buttons.type).toBe('actions');
            const ids = buttons.type === 'actions' ? buttons.elements.map((e) => e.action_id) : [];
            const watchable =
              view.items.length === 1 && reports === 1 && report.checks.some((c) => c.status === 'fail');
            expect(ids).toEqual(
              watchable ? [ACTION_RERUN, ACTION_WATCH, ACTION_LANG] : [ACTION_RERUN, ACTION_LANG],
            );
            const feedback = reply.blocks.filter((b) => b.type === 'context_actions');
            if (view.items.length === 1) expect(feedback).toHaveLength(reports);
            else expect(feedback.length).toBeGreaterThan(0);
            for (const f of feedback) {
              const e = f.type === 'context_actions' ? f.elements[0]! : undefined;
              expect(decodeFeedbackValue(e?.positive_button.value)).toMatchObject({
                d: 'a1b2c3d4',
                v: 'up',
                g: lang,
              });
              expect(decodeFeedbackValue(e?.negative_button.value)).toMatchObject({
                d: 'a1b2c3d4',
                v: 'down',
              });
            }
          } else {
            expect(reply.blocks.some((b) => b.type === 'context_actions')).toBe(false);
          }
        });
      }
    }
  }
});

describe('renderReply: what comes first and what is folded', () => {
  const t = translator('en');

  it('puts the top cause and its fix before any check', () => {
    const report = syntheticReport({ fail: 3 });
    const blocks = renderReply({ items: [{ kind: 'report', report }], more: 0 }, t, 'en').blocks;
    const causeAt = blocks.findIndex((b) => allText([b]).includes('Most likely cause'));
    const checkAt = blocks.findIndex((b) => allText([b]).includes(':x: *'));
    expect(causeAt).toBeGreaterThan(0);
    expect(causeAt).toBeLessThan(checkAt);
    expect(allText([blocks[causeAt]!])).toContain('80% confidence');
    expect(allText([blocks[causeAt]!])).toContain(':wrench: *Fix:*');
  });

  it('folds passed checks into one line and problems that do not fit into "…and N more"', () => {
    const report = syntheticReport({ fail: 40, warn: 10, pass: 30 });
    const blocks = renderReply({ items: [{ kind: 'report', report }], more: 0 }, t, 'en').blocks;
    expect(blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
    const text = allText(blocks);
    expect(text).toMatch(/…and \d+ more problems:/);
    expect(text).toContain('Passed (30):');
    expect(blocks.filter((b) => allText([b]).includes('Passed (30):'))).toHaveLength(1);
  });

  it('degrades gracefully without causes or checks', () => {
    const report = syntheticReport({ fail: 0, warn: 0, unknown: 0, pass: 0, skip: 0, causes: 0 });
    const text = allText(renderReply({ items: [{ kind: 'report', report }], more: 0 }, t, 'en').blocks);
    expect(text).toContain('No cause identified.');
    expect(text).toContain('No checks ran.');
    expect(text).toContain('CannotPullContainerError');
  });

  it('renders in Italian with the console’s terms', () => {
    const report = syntheticReport({ fail: 1, linksPerCheck: 2 });
    const it_ = translator('it');
    const text = allText(renderReply({ items: [{ kind: 'report', report }], more: 0 }, it_, 'it').blocks);
    expect(text).toContain('Causa più probabile');
    expect(text).toContain('Tabella di routing: ');
    expect(text).toContain('Risposta automatica a questo avviso');
    expect(text).not.toContain('Most likely');
  });

  it('keeps button values decodable with as many ARNs as fit', () => {
    const v = { k: 'key', l: 'c' as const, g: 'it' as const, a: longArns };
    const raw = encodeActionValue(v);
    expect(raw.length).toBeLessThanOrEqual(LIMITS.buttonValue);
    const back = decodeActionValue(raw)!;
    expect(back.k).toBe('key');
    expect(back.a.length).toBeGreaterThan(5);
    expect(longArns.slice(0, back.a.length)).toEqual(back.a);
    expect(decodeActionValue('{"k":1}')).toBeUndefined();
    expect(decodeActionValue('not json')).toBeUndefined();
  });
});

describe('text limits helpers', () => {
  it('clip never exceeds the limit nor breaks an entity, a mention or a code fence', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 400, unit: 'grapheme' }),
        fc.integer({ min: 2, max: 300 }),
        (raw, max) => {
          const s = `${raw.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)} <@U0ABC> \`\`\`x\`\`\``;
          const out = clip(s, max);
          expect(out.length).toBeLessThanOrEqual(max);
          expect(out).not.toMatch(/&[a-z]{0,3}…$/);
          expect(out).not.toMatch(/<@[A-Z0-9]*…$/);
          expect((out.split('```').length - 1) % 2).toBe(0);
          const last = out.charCodeAt(out.length - 2);
          expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
        },
      ),
    );
  });

  it('joinLines keeps within the limit and says how many lines it left out', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 120 }), { maxLength: 60 }),
        fc.integer({ min: 40, max: 2000 }),
        (lines, max) => {
          const out = joinLines(lines, max, (n) => `…and ${n} more`);
          expect(out.length).toBeLessThanOrEqual(max);
          const m = /…and (\d+) more$/.exec(out);
          if (m && !lines.includes(m[0])) {
            const shown = out.split('\n').length - 1;
            expect(Number(m[1]) + shown).toBeGreaterThanOrEqual(lines.length - 1);
          }
        },
      ),
    );
  });

  it('fitMessage enforces the limits on anything, keeping the final buttons', () => {
    const huge: Block[] = Array.from({ length: 120 }, (_, i) => ({
      type: 'section',
      text: { type: 'mrkdwn', text: `${'x'.repeat(5000)}${i}` },
      fields: Array.from({ length: 14 }, () => ({ type: 'mrkdwn' as const, text: 'y'.repeat(2500) })),
    }));
    huge.push({
      type: 'actions',
      block_id: 'ecs_pull_actions',
      elements: Array.from({ length: 30 }, (_, i) => ({
        type: 'button' as const,
        text: { type: 'plain_text' as const, text: 'b'.repeat(100) },
        action_id: `a${i}${'z'.repeat(300)}`.slice(0, 200 + i),
        url: 'https://example.com/',
      })),
    });
    const fitted = fitMessage({ text: 't'.repeat(10_000), blocks: huge });
    expect(blockKitViolations(fitted)).toEqual([]);
    expect(fitted.blocks.at(-1)!.type).toBe('actions');
  });

  it('renderLine escapes what it is given', () => {
    const line = renderLine('Usage: /ecs-pull why <task-arn> & more');
    expect(blockKitViolations(line)).toEqual([]);
    expect(allText(line.blocks)).toContain('&lt;task-arn&gt; &amp; more');
    // The top-level text is mrkdwn too (notifications, screen readers): escaped the same way.
    expect(line.text).toBe('Usage: /ecs-pull why &lt;task-arn&gt; &amp; more');
  });
});
