/**
 * Feedback on reports: one answer per person per report, changeable, each change withdrawing exactly the answer it
 * replaces (so /metrics' totals minus withdrawals are the current answers); the values the buttons and the form
 * carry are checked before use; the form stays within Slack's modal limits in both languages.
 */
import { describe, expect, it } from 'vitest';
import type { Language } from '../../src/config.js';
import { CAUSE_IDS } from '../../src/diagnosis/causes.js';
import { translator } from '../../src/i18n.js';
import { Metrics } from '../../src/observability/metrics.js';
import { feedbackForm } from '../../src/render/feedback-view.js';
import type { SlackDeps } from '../../src/slack/deps.js';
import {
  decodeFeedbackForm,
  decodeFeedbackValue,
  encodeFeedbackValue,
  recordFeedback,
} from '../../src/slack/feedback.js';
import { MemoryStore } from '../../src/state/store.js';
import { captureLog } from '../helpers/slack-log.js';

function setup() {
  const metrics = new Metrics({ defaultMetrics: false });
  const captured = captureLog();
  const deps = {
    store: new MemoryStore(),
    log: captured.log,
    now: () => 1_800_000_000_000,
    onFeedback: (next, previous) => metrics.feedbackAnswer(next, previous),
  } as Partial<SlackDeps> as SlackDeps;
  /** Current answers per (verdict, actual): totals minus withdrawals, as the README tells teams to read them. */
  const current = async () => {
    const get = async (name: string) =>
      (await metrics.registry.getSingleMetric(name)!.get()).values.map((v) => ({
        key: `${v.labels.verdict}:${v.labels.actual}`,
        n: v.value,
      }));
    const out: Record<string, number> = {};
    for (const v of await get('ecs_pull_feedback_total')) out[v.key] = (out[v.key] ?? 0) + v.n;
    for (const v of await get('ecs_pull_feedback_withdrawn_total')) out[v.key] = (out[v.key] ?? 0) - v.n;
    return Object.fromEntries(Object.entries(out).filter(([, n]) => n !== 0));
  };
  return { deps, metrics, captured, current };
}

describe('recordFeedback', () => {
  it('keeps one current answer per person and report through every change', async () => {
    const { deps, current, captured } = setup();
    const vote = (user: string, verdict: 'up' | 'down', extra: { actual?: string; note?: string } = {}) =>
      recordFeedback(deps, 'a1b2c3d4', user, { verdict, cause: 'dns', channel: 'C1', ...extra });

    expect((await vote('U1', 'up')).changed).toBe(true);
    expect((await vote('U1', 'up')).changed).toBe(false);
    expect(await current()).toEqual({ 'up:dns': 1 });

    await vote('U1', 'down');
    expect(await current()).toEqual({ 'down:unspecified': 1 });
    await vote('U1', 'down', { actual: 'execution-role', note: ' the role lost its policy ' });
    expect(await current()).toEqual({ 'down:execution-role': 1 });
    // 👎 again keeps what the form said.
    const again = await vote('U1', 'down');
    expect(again.changed).toBe(false);
    expect(again.record).toMatchObject({ actual: 'execution-role', note: ' the role lost its policy ' });

    await vote('U2', 'down', { actual: 'other' });
    await vote('U3', 'up');
    expect(await current()).toEqual({ 'down:execution-role': 1, 'down:other': 1, 'up:dns': 1 });
    await vote('U1', 'up');
    expect(await current()).toEqual({ 'down:other': 1, 'up:dns': 2 });

    // Logged under the report's correlation id, with what it replaced.
    const last = captured
      .entries()
      .filter((e) => e.msg === 'feedback')
      .at(-1)!;
    expect(last).toMatchObject({
      correlationId: 'a1b2c3d4',
      user: 'U1',
      verdict: 'up',
      previous: { verdict: 'down', actual: 'execution-role' },
    });
  });

  it('labels only known causes: anything else is none / unspecified, and notes are cut', async () => {
    const { deps } = setup();
    const r = await recordFeedback(deps, 'r1', 'U1', {
      verdict: 'down',
      cause: 'made-up"} 1\nevil',
      channel: 'C1',
      actual: '</script>',
      note: 'x'.repeat(2000),
    });
    expect(r.record).toMatchObject({ cause: 'none', actual: 'unspecified' });
    expect(r.record.note).toHaveLength(500);
  });
});

describe('feedback values', () => {
  it('round-trips what the buttons carry and refuses anything else', () => {
    const v = { d: 'a1b2c3d4', c: 'dns', v: 'up', g: 'it' } as const;
    expect(decodeFeedbackValue(encodeFeedbackValue(v))).toEqual(v);
    for (const bad of [
      undefined,
      '',
      'not json',
      '{"d":"../x","c":"dns","v":"up","g":"en"}',
      '{"d":"a1","c":"dns","v":"maybe","g":"en"}',
      '{"d":"a1","c":"dns","v":"up","g":"fr"}',
      `{"d":"a1","c":"dns","v":"up","g":"en","pad":"${'x'.repeat(3000)}"}`,
    ]) {
      expect(decodeFeedbackValue(bad)).toBeUndefined();
    }
    expect(decodeFeedbackValue('{"d":"a1","c":"no-such-cause","v":"down","g":"en"}')!.c).toBe('none');
    expect(decodeFeedbackForm('{"d":"a1","c":"dns","g":"en","ch":"C0<x>"}')).toBeUndefined();
  });
});

describe('the "what was it?" form', () => {
  it.each<Language>(['en', 'it'])('stays within modal limits and offers every other cause (%s)', (lang) => {
    const t = translator(lang);
    for (const reported of [...CAUSE_IDS, 'none']) {
      const view = feedbackForm(t, { d: 'a1b2c3d4', c: reported, g: lang, ch: 'C1' });
      expect(view.title.text.length).toBeLessThanOrEqual(24);
      expect(view.submit!.text.length).toBeLessThanOrEqual(24);
      expect(view.close!.text.length).toBeLessThanOrEqual(24);
      expect(view.private_metadata!.length).toBeLessThanOrEqual(3000);
      const select = view.blocks.find((b) => b.block_id === 'actual') as unknown as {
        element: { options: { text: { text: string }; value: string }[] };
      };
      const values = select.element.options.map((o) => o.value);
      expect(values).not.toContain(reported);
      expect(values).not.toContain('unknown');
      expect(values.at(-1)).toBe('other');
      expect(values.length).toBeLessThanOrEqual(100);
      for (const o of select.element.options) {
        expect(o.text.text.length).toBeGreaterThan(0);
        expect(o.text.text.length).toBeLessThanOrEqual(75);
        expect(o.text.text).not.toMatch(/^causes:|\.name$/);
      }
      const intro = JSON.stringify(view.blocks[0]);
      expect(intro).not.toContain('causes:');
    }
  });

  it('pre-fills what the person answered before', () => {
    const t = translator('en');
    const view = feedbackForm(
      t,
      { d: 'a1', c: 'dns', g: 'en', ch: 'C1' },
      { verdict: 'down', cause: 'dns', actual: 'kms', note: 'key disabled', channel: 'C1', at: 0 },
    );
    expect(JSON.stringify(view.blocks)).toContain(
      '"initial_option":{"text":{"type":"plain_text","text":"KMS key"',
    );
    expect(JSON.stringify(view.blocks)).toContain('"initial_value":"key disabled"');
  });
});
