/**
 * Rate limits on people's diagnoses (issue 13, finding 7), without Slack or AWS: which requests are charged and
 * how much, the cap on accounts per request, the localized refusals with their wait, the metric, the fallback when
 * the shared store fails, and the configuration (YAML and environment).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTaskTarget } from '../../src/aws/target.js';
import { defaultConfig, loadConfig } from '../../src/config.js';
import { UserError } from '../../src/errors.js';
import { translator } from '../../src/i18n.js';
import { Metrics } from '../../src/observability/metrics.js';
import { say } from '../../src/render/text.js';
import type { AlertTask } from '../../src/slack/alert.js';
import type { Surface } from '../../src/slack/deps.js';
import { userErrorMessage } from '../../src/slack/diagnoser.js';
import {
  intervalOf,
  isRateLimited,
  type LimitRequest,
  RateLimitedError,
  RateLimits,
  releaseIfLimited,
} from '../../src/slack/rate-limit.js';
import { MemoryStore, type StateStore, type TokenTake } from '../../src/state/store.js';
import { captureLog } from '../helpers/slack-log.js';

const task = (account: string, n = 1): AlertTask => ({
  target: parseTaskTarget(`arn:aws:ecs:eu-west-1:${account}:task/prod/${n.toString(16).padStart(32, '0')}`),
});
const tasks = (account: string, count: number) =>
  Array.from({ length: count }, (_, i) => task(account, i + 1));

function setup(limits: Parameters<typeof defaultConfig>[0] = {}, store: StateStore = new MemoryStore()) {
  const config = defaultConfig(limits);
  const metrics = new Metrics({ defaultMetrics: false });
  const log = captureLog();
  const limiter = new RateLimits(config.slack.limits, store, log.log, (surface, scope) =>
    metrics.rateLimited.inc({ surface, scope }),
  );
  return { limiter, metrics, log, config };
}

function request(over: Partial<LimitRequest> & { allowed: AlertTask[] }): LimitRequest {
  return {
    surface: 'mention',
    requester: 'slack-T1-U1',
    channel: 'C0INCIDENT',
    named: over.allowed,
    ...over,
  };
}

async function refusal(p: Promise<unknown>): Promise<RateLimitedError> {
  try {
    await p;
  } catch (err) {
    if (isRateLimited(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('RateLimits', () => {
  it('charges one token per diagnosis: a burst of 10 per person, then refusals that say when', async () => {
    const { limiter, metrics } = setup();
    await limiter.admit(request({ allowed: tasks('111111111111', 8) }));
    await limiter.admit(request({ allowed: tasks('111111111111', 2) }));
    const err = await refusal(limiter.admit(request({ allowed: tasks('111111111111', 1) })));
    expect(err).toBeInstanceOf(UserError);
    expect(err.scope).toBe('user');
    expect(err.key).toBe('slack:limits.user');
    expect(err.retryAfterSeconds).toBe(6);
    expect(say(translator('en'), userErrorMessage(err))).toBe(
      'You have asked for many diagnoses in a short time: your limit is 10 at once, then 10 a minute. Try again in 6 s.',
    );
    expect(say(translator('it'), userErrorMessage(err))).toBe(
      'Hai chiesto molte diagnosi in poco tempo: il tuo limite è di 10 alla volta, poi 10 al minuto. Riprova tra 6 s.',
    );
    // Someone else in the same channel is not held back by this person's bucket.
    await limiter.admit(request({ requester: 'slack-T1-U2', allowed: tasks('111111111111', 1) }));
    const text = (await metrics.text()).body;
    expect(text).toContain('ecs_pull_rate_limited_total{surface="mention",scope="user"} 1');
  });

  it('alerts from configured sources are not charged (the storm logic governs them)', async () => {
    const { limiter } = setup();
    for (let i = 0; i < 20; i++) {
      await limiter.admit(
        request({ surface: 'alert', requester: 'slack-T1-alert-B1', allowed: tasks('111111111111', 8) }),
      );
    }
    // …and take nothing from the channel or the account either.
    await limiter.admit(request({ allowed: tasks('111111111111', 8) }));
  });

  it.each<Surface>(['command', 'mention', 'shortcut', 'rerun', 'language'])(
    '%s is charged',
    async (surface) => {
      const { limiter } = setup();
      await limiter.admit(request({ surface, allowed: tasks('111111111111', 10) }));
      await expect(limiter.admit(request({ surface, allowed: tasks('111111111111', 1) }))).rejects.toThrow(
        RateLimitedError,
      );
    },
  );

  it('tasks the channel may not diagnose cost nothing (no AWS call), and a request of none takes nothing', async () => {
    const store = new MemoryStore();
    const calls: TokenTake[][] = [];
    const spy = Object.assign(store, {
      takeTokens: (t: readonly TokenTake[]) => {
        calls.push([...t]);
        return MemoryStore.prototype.takeTokens.call(store, t);
      },
    });
    const { limiter } = setup({}, spy);
    await limiter.admit(request({ named: tasks('222222222222', 3), allowed: [] }));
    expect(calls).toHaveLength(0);
    await limiter.admit(
      request({
        named: [...tasks('111111111111', 2), task('222222222222')],
        allowed: tasks('111111111111', 2),
      }),
    );
    expect(calls[0]!.map((t) => [t.key, t.cost])).toEqual([
      ['rate:user:slack-T1-U1', 2],
      ['rate:channel:C0INCIDENT', 2],
      ['rate:account:aws:111111111111', 2],
    ]);
  });

  it('per channel: many people in one channel share its bucket', async () => {
    const { limiter } = setup({ slack: { limits: { channel: { burst: 5, perMinute: 6 } } } });
    for (let i = 0; i < 5; i++)
      await limiter.admit(request({ requester: `slack-T1-U${i}`, allowed: [task('111111111111')] }));
    const err = await refusal(
      limiter.admit(request({ requester: 'slack-T1-U9', allowed: [task('111111111111')] })),
    );
    expect(err.scope).toBe('channel');
    expect(err.retryAfterSeconds).toBe(10);
    expect(say(translator('en'), userErrorMessage(err))).toContain(
      'This channel has asked for many diagnoses',
    );
    // Another channel is not.
    await limiter.admit(
      request({ requester: 'slack-T1-U9', channel: 'C0OTHER01', allowed: [task('111111111111')] }),
    );
  });

  it('per account: every channel asking about one account shares its bucket (AWS throttles account-wide)', async () => {
    const { limiter, metrics } = setup({ slack: { limits: { account: { burst: 4, perMinute: 4 } } } });
    await limiter.admit(
      request({ channel: 'C0AAAAAAA1', requester: 'slack-T1-U1', allowed: tasks('111111111111', 2) }),
    );
    await limiter.admit(
      request({ channel: 'C0BBBBBBB2', requester: 'slack-T1-U2', allowed: tasks('111111111111', 2) }),
    );
    const err = await refusal(
      limiter.admit(
        request({ channel: 'C0CCCCCCC3', requester: 'slack-T1-U3', allowed: [task('111111111111')] }),
      ),
    );
    expect(err.scope).toBe('account');
    expect(err.params).toMatchObject({ account: '111111111111', seconds: 15 });
    expect(say(translator('it'), userErrorMessage(err))).toContain(
      "L'account 111111111111 è stato interrogato",
    );
    // Another account is not held back.
    await limiter.admit(
      request({ channel: 'C0CCCCCCC3', requester: 'slack-T1-U3', allowed: [task('333333333333')] }),
    );
    expect((await metrics.text()).body).toContain(
      'ecs_pull_rate_limited_total{surface="mention",scope="account"} 1',
    );
  });

  it('a request naming more accounts than allowed is refused before any bucket is touched', async () => {
    const store = new MemoryStore();
    let touched = 0;
    const spy = Object.assign(store, {
      takeTokens: (t: readonly TokenTake[]) => {
        touched++;
        return MemoryStore.prototype.takeTokens.call(store, t);
      },
    });
    const { limiter, metrics } = setup({}, spy);
    const eight = Array.from({ length: 8 }, (_, i) => task(String(100000000000 + i * 1111)));
    // Counted over every account named, allowed or not.
    const err = await refusal(limiter.admit(request({ named: eight, allowed: eight.slice(0, 2) })));
    expect(err.scope).toBe('accounts');
    expect(err.retryAfterSeconds).toBeUndefined();
    expect(err.params).toEqual({ count: 8, max: 3 });
    expect(touched).toBe(0);
    expect(say(translator('en'), userErrorMessage(err))).toBe(
      'This request names tasks in 8 AWS accounts; one request may name at most 3. Split it into requests of at most 3 accounts each.',
    );
    expect((await metrics.text()).body).toContain(
      'ecs_pull_rate_limited_total{surface="mention",scope="accounts"} 1',
    );
    // Three accounts are fine.
    await limiter.admit(request({ allowed: eight.slice(0, 3) }));
  });

  it('a request costing more than a bucket can ever hold says so instead of a wait', async () => {
    const { limiter } = setup({ slack: { limits: { user: { burst: 3, perMinute: 3 } } } });
    const err = await refusal(limiter.admit(request({ allowed: tasks('111111111111', 5) })));
    expect(err.key).toBe('slack:limits.too-many');
    expect(err.scope).toBe('user');
    expect(say(translator('en'), userErrorMessage(err))).toBe(
      'This request asks for 5 diagnoses at once; at most 3 can run together. Name fewer tasks.',
    );
  });

  it('when the shared store fails, the replica limits with buckets of its own and says so once', async () => {
    const broken: StateStore = Object.assign(new MemoryStore(), {
      takeTokens: () => Promise.reject(new Error('connection is closed')),
    });
    const { limiter, log } = setup({}, broken);
    await limiter.admit(request({ allowed: tasks('111111111111', 10) }));
    await expect(limiter.admit(request({ allowed: [task('111111111111')] }))).rejects.toThrow(
      RateLimitedError,
    );
    const warnings = log.entries().filter((e) => String(e.msg).startsWith('shared rate limits unavailable'));
    expect(warnings).toHaveLength(1);
    expect(log.text()).toContain('request refused by a rate limit');
  });

  it('releaseIfLimited gives a double-click lock back only for a rate-limit refusal', async () => {
    const store = new MemoryStore();
    await store.setIfAbsent('rerun:k1', 1, 60_000);
    await store.setIfAbsent('rerun:k2', 1, 60_000);
    const limited = new RateLimitedError('slack:limits.user', { seconds: 3 }, 'user', 3);
    await expect(releaseIfLimited({ store }, 'rerun:k1', limited)).rejects.toBe(limited);
    expect(await store.get('rerun:k1')).toBeUndefined();
    const other = new Error('boom');
    await expect(releaseIfLimited({ store }, 'rerun:k2', other)).rejects.toBe(other);
    expect(await store.get('rerun:k2')).toBe(1);
  });

  it('one token back every 60 / perMinute seconds, rounded so as never to exceed perMinute', () => {
    expect(intervalOf(10)).toBe(6_000);
    expect(intervalOf(7)).toBe(8_572);
    expect(intervalOf(0.5)).toBe(120_000);
    expect(intervalOf(60_000)).toBe(1);
  });
});

describe('slack.limits configuration', () => {
  function file(text: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'ecs-pull-limits-'));
    const p = join(dir, 'c.yml');
    writeFileSync(p, text);
    return p;
  }

  it('has defaults: 10 at once then 10 a minute per person, 30/30 per channel, 20/20 per account, 3 accounts', () => {
    expect(loadConfig({}).slack.limits).toEqual({
      user: { burst: 10, perMinute: 10 },
      channel: { burst: 30, perMinute: 30 },
      account: { burst: 20, perMinute: 20 },
      maxAccountsPerRequest: 3,
    });
  });

  it('reads the file, and the environment overrides it field by field', () => {
    const c = loadConfig({
      ECS_PULL_CONFIG: file(`
slack:
  limits:
    user: { burst: 4 }
    channel: { burst: 50, perMinute: 60 }
    maxAccountsPerRequest: 2
`),
      SLACK_LIMIT_USER_PER_MINUTE: '2',
      SLACK_LIMIT_CHANNEL_BURST: '40',
      SLACK_LIMIT_ACCOUNT_BURST: '100',
      SLACK_LIMIT_ACCOUNT_PER_MINUTE: '120',
      SLACK_MAX_ACCOUNTS_PER_REQUEST: '1',
    });
    expect(c.slack.limits).toEqual({
      user: { burst: 4, perMinute: 2 },
      channel: { burst: 40, perMinute: 60 },
      account: { burst: 100, perMinute: 120 },
      maxAccountsPerRequest: 1,
    });
    expect(
      loadConfig({ SLACK_LIMIT_USER_BURST: '3', SLACK_LIMIT_CHANNEL_PER_MINUTE: '5' }).slack.limits,
    ).toMatchObject({
      user: { burst: 3, perMinute: 10 },
      channel: { burst: 30, perMinute: 5 },
    });
  });

  it.each([
    [{ SLACK_LIMIT_USER_BURST: '0' }, 'slack.limits.user.burst'],
    [{ SLACK_LIMIT_USER_BURST: 'many' }, 'slack.limits.user.burst'],
    [{ SLACK_LIMIT_ACCOUNT_PER_MINUTE: '-1' }, 'slack.limits.account.perMinute'],
    [{ SLACK_MAX_ACCOUNTS_PER_REQUEST: '0' }, 'slack.limits.maxAccountsPerRequest'],
    [{ SLACK_MAX_ACCOUNTS_PER_REQUEST: '9' }, 'slack.limits.maxAccountsPerRequest'],
  ])('refuses %o naming %s', (env, key) => {
    try {
      loadConfig(env);
      throw new Error('expected a UserError');
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).params.key).toBe(key);
    }
  });

  it('refuses unknown keys under slack.limits', () => {
    expect(() =>
      loadConfig({ ECS_PULL_CONFIG: file('slack:\n  limits:\n    team: { burst: 1 }\n') }),
    ).toThrow(UserError);
  });
});
