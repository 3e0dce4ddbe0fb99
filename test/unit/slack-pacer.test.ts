/**
 * Posting at Slack's pace: a queue per channel (FIFO, spaced, channels independent), posts that fail for a
 * passing reason tried again (Retry-After honoured), lasting failures given back at once.
 */
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { ChannelPacer, isPassingFailure, retryAfterSeconds } from '../../src/slack/pacer.js';
import { MemoryStore, type StateStore } from '../../src/state/store.js';
import { captureLog } from '../helpers/slack-log.js';

const opts = { intervalMs: 100, burst: 1, retries: 3, retryDelayMs: 20 };

describe('ChannelPacer', () => {
  it('posts in order, spaced per channel, with channels side by side', async () => {
    const pacer = new ChannelPacer(new MemoryStore(), captureLog().log, opts);
    const t0 = Date.now();
    const done: Array<{ channel: string; i: number; at: number }> = [];
    const jobs = [];
    for (let i = 0; i < 5; i++) {
      for (const channel of ['C1', 'C2']) {
        jobs.push(
          pacer.run(channel, async () => {
            done.push({ channel, i, at: Date.now() - t0 });
            return i;
          }),
        );
      }
    }
    const results = await Promise.all(jobs);
    expect(results).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    for (const channel of ['C1', 'C2']) {
      const mine = done.filter((d) => d.channel === channel);
      expect(mine.map((d) => d.i)).toEqual([0, 1, 2, 3, 4]);
      for (let k = 1; k < mine.length; k++) expect(mine[k]!.at - mine[k - 1]!.at).toBeGreaterThanOrEqual(90);
    }
    // Both channels done in about 4 intervals, not 9.
    expect(Math.max(...done.map((d) => d.at))).toBeLessThan(800);
    expect(pacer.pending).toBe(0);
  });

  it('tries a post again when Slack was unreachable or busy, and gives back lasting errors at once', async () => {
    const pacer = new ChannelPacer(new MemoryStore(), captureLog().log, opts);
    let attempts = 0;
    const flaky = async () => {
      attempts++;
      if (attempts === 1) throw new WebAPIRequestError(new Error('connect ECONNREFUSED 127.0.0.1:9'));
      if (attempts === 2) throw new WebAPIHTTPError(503, 'Service Unavailable', {}, '');
      return 'posted';
    };
    expect(await pacer.run('C1', flaky)).toBe('posted');
    expect(attempts).toBe(3);

    let lasting = 0;
    const notInChannel = async () => {
      lasting++;
      throw new WebAPIPlatformError({ ok: false, error: 'channel_not_found' });
    };
    await expect(pacer.run('C1', notInChannel)).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    expect(lasting).toBe(1);

    let forever = 0;
    const down = async () => {
      forever++;
      throw new WebAPIRequestError(new Error('getaddrinfo ENOTFOUND slack.com'));
    };
    await expect(pacer.run('C2', down)).rejects.toMatchObject({ code: 'slack_webapi_request_error' });
    expect(forever).toBe(1 + opts.retries);
  });

  it('waits as long as Slack’s Retry-After says before trying again', async () => {
    const pacer = new ChannelPacer(new MemoryStore(), captureLog().log, opts);
    const at: number[] = [];
    const t0 = Date.now();
    const r = await pacer.run('C1', async () => {
      at.push(Date.now() - t0);
      // What the Web API client throws once its own retries on 429 are spent.
      if (at.length === 1)
        throw new Error(
          'A rate limit was exceeded (url: https://slack.com/api/chat.postMessage, retry-after: 1)',
        );
      return 'ok';
    });
    expect(r).toBe('ok');
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(990);
  });

  it('classifies Web API failures', () => {
    expect(isPassingFailure(new WebAPIRateLimitedError(3))).toBe(true);
    expect(retryAfterSeconds(new WebAPIRateLimitedError(3))).toBe(3);
    expect(isPassingFailure(new WebAPIHTTPError(500, 'x', {}, ''))).toBe(true);
    expect(isPassingFailure(new WebAPIHTTPError(400, 'x', {}, ''))).toBe(false);
    expect(isPassingFailure(new WebAPIPlatformError({ ok: false, error: 'ratelimited' }))).toBe(true);
    expect(isPassingFailure(new WebAPIPlatformError({ ok: false, error: 'invalid_blocks' }))).toBe(false);
    expect(isPassingFailure(new Error('boom'))).toBe(false);
  });

  it('keeps posting, spaced locally, when the shared schedule is unavailable', async () => {
    const broken: StateStore = Object.assign(new MemoryStore(), {
      schedule: async () => {
        throw new Error('Connection is closed.');
      },
    });
    const captured = captureLog();
    const pacer = new ChannelPacer(broken, captured.log, opts);
    const t0 = Date.now();
    expect(await Promise.all([pacer.run('C1', async () => 1), pacer.run('C1', async () => 2)])).toEqual([
      1, 2,
    ]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(captured.text()).toContain('posting pace unavailable; spacing locally');
  });
});
