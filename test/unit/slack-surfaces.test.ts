/**
 * The Slack-native surfaces' pieces (issue 19): the Home tab and the unfurl within Block Kit's limits whatever
 * they hold, in both languages and escaped; a person's history (deduplicated, capped, never losing an entry to
 * a concurrent write); what a DM, a workflow step and a channel may diagnose; the button and DM grammar; the new
 * settings.
 */
import { describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/aws/clients.js';
import { defaultConfig, loadConfig } from '../../src/config.js';
import type { ServiceReport } from '../../src/diagnosis/service-report.js';
import type { DoctorRow } from '../../src/doctor.js';
import { isUserError } from '../../src/errors.js';
import { translator } from '../../src/i18n.js';
import type { Logger } from '../../src/log.js';
import { type HomeData, renderHome } from '../../src/render/home-view.js';
import { say } from '../../src/render/text.js';
import { renderUnfurl, UNFURL_MAX_BLOCKS } from '../../src/render/unfurl-view.js';
import {
  channelAccounts,
  impliedAccount,
  isAdmin,
  isDirectMessage,
  mayDiagnose,
  refusalKeys,
  refusalMessage,
  WORKFLOW_SCOPE,
} from '../../src/slack/access.js';
import { decodeUnfurlValue, encodeUnfurlValue } from '../../src/slack/buttons.js';
import type { SlackDeps } from '../../src/slack/deps.js';
import { dmCommandText } from '../../src/slack/events/direct-message.js';
import {
  HISTORY_MAX,
  historyOf,
  homeAccess,
  mergeHistory,
  rememberShown,
  type ShownEntry,
} from '../../src/slack/home.js';
import { MemoryStore } from '../../src/state/store.js';
import { homeViewViolations, unfurlViolations } from '../helpers/slack-blockkit.js';
import { syntheticReport } from '../helpers/slack-reports.js';

const A = '111111111111';
const B = '222222222222';
const nasty = '<!channel> <@U0EVIL> & <https://evil.example|click> ```';

function entry(i: number, o: Partial<ShownEntry> = {}): ShownEntry {
  return {
    id: `d${i}`,
    taskId: `${String(i).padStart(32, '0')}`,
    cluster: 'payments',
    account: A,
    region: 'eu-south-1',
    cause: 'network-no-route',
    summary: { key: 'slack:report.where', params: { cluster: nasty, account: A, region: 'x' } },
    confidence: 0.87,
    link: `https://acme.slack.com/archives/C0PAY/p17000000000${i}?thread_ts=1700000000.0001&cid=C0PAY`,
    at: 1_700_000_000_000 + i * 1000,
    ...o,
  };
}

const doctorRows = (n: number): DoctorRow[] =>
  Array.from({ length: n }, (_, i) => ({
    check: { key: 'doctor:check.assume', params: { account: String(100000000000 + i) } },
    status: (['pass', 'fail', 'warn', 'skip'] as const)[i % 4]!,
    detail: {
      key: 'doctor:detail.aws-error',
      params: { code: 'AccessDenied', message: `${nasty} `.repeat(40) },
    },
    fix: { key: 'doctor:fix.assume', params: { role: `arn:aws:iam::${A}:role/${'r'.repeat(60)}` } },
  }));

describe('the Home tab', () => {
  const config = defaultConfig({
    accounts: { [A]: { defaultCredentials: true, name: 'payments & co' } },
    slack: {
      channels: Object.fromEntries(
        Array.from({ length: 300 }, (_, i) => [`C0CHAN${String(i).padStart(4, '0')}`, { accounts: [A, B] }]),
      ),
      defaultAccounts: ['*'],
      dm: { accounts: [B] },
    },
  });

  const big: HomeData = {
    access: homeAccess(config, {
      ids: [...Object.keys(config.slack.channels), 'C0NOENTRY1', 'C0NOENTRY2'],
      complete: false,
    }),
    history: Array.from({ length: HISTORY_MAX }, (_, i) =>
      entry(i, {
        summary: {
          key: 'slack:report.where',
          params: { cluster: nasty.repeat(200), account: A, region: 'x' },
        },
      }),
    ),
    doctor: { rows: doctorRows(300), at: 1_700_000_000_000 },
    names: { [A]: 'payments & co' },
  };

  for (const lang of ['en', 'it'] as const) {
    it(`stays within a view's limits however much it holds (${lang})`, () => {
      const view = renderHome(big, translator(lang), lang);
      expect(homeViewViolations(view as unknown as Record<string, unknown>)).toEqual([]);
      expect(view.blocks.length).toBeLessThanOrEqual(100);
      const text = JSON.stringify(view.blocks);
      // What it shows is escaped: nobody's text becomes a mention, a link or a broadcast.
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('<@U0EVIL>');
      expect(text).not.toContain('<https://evil.example');
      expect(text).toContain('payments &amp; co');
      // The bot's own links: the permalink with & escaped inside Slack's markup.
      expect(text).toContain(
        '<https://acme.slack.com/archives/C0PAY/p170000000000?thread_ts=1700000000.0001&amp;cid=C0PAY|',
      );
    });

    it(`is small and complete for a small setup (${lang})`, () => {
      const t = translator(lang);
      const small: HomeData = {
        access: homeAccess(config, { ids: ['C0CHAN0001', 'C0NOENTRY1'], complete: true }),
        history: [],
        names: {},
      };
      const view = renderHome(small, t, lang);
      expect(homeViewViolations(view as unknown as Record<string, unknown>)).toEqual([]);
      expect(view.blocks.length).toBeLessThan(20);
      const text = JSON.stringify(view.blocks);
      expect(text).toContain(`<#C0CHAN0001>: ${A}, ${B}`);
      expect(text).not.toContain('C0CHAN0002');
      expect(text).toContain(
        t('slack:home.access.others', { count: 1, accounts: t('slack:home.access.all') }),
      );
      expect(text).toContain(t('slack:home.access.dm', { accounts: B }));
      expect(text).not.toContain(t('slack:home.doctor.title'));
    });
  }

  it('drops a history link that is not an https permalink, and says when the channels could not be listed', () => {
    const t = translator('en');
    const view = renderHome(
      {
        access: homeAccess(config, undefined),
        history: [
          entry(1, { link: 'javascript:alert(1)|x' }),
          entry(2, { link: undefined, cause: undefined }),
        ],
        doctor: 'pending',
        names: {},
      },
      t,
      'en',
    );
    const text = JSON.stringify(view.blocks);
    expect(text).not.toContain('javascript:');
    expect(text).toContain('*Task 00000000000000000000000000000001*');
    expect(text).toContain(t('slack:cause.none'));
    expect(text).toContain('channels:read and groups:read');
    expect(text).toContain(t('slack:home.doctor.pending'));
    expect(homeViewViolations(view as unknown as Record<string, unknown>)).toEqual([]);
  });
});

describe('the unfurl of a console link', () => {
  const huge = syntheticReport({ fail: 60, warn: 60, causes: 10, summaryLength: 6000, stopLength: 50_000 });
  const arn = huge.context.taskArn;
  for (const lang of ['en', 'it'] as const) {
    it(`is a few valid blocks whatever the report (${lang})`, () => {
      const t = translator(lang);
      for (const item of [
        { kind: 'report' as const, report: huge, arn, stateKey: 'k'.repeat(20) },
        { kind: 'report' as const, report: syntheticReport({ causes: 0 }), arn },
        { kind: 'error' as const, taskId: 'abc', message: { key: 'slack:errors.stale' } },
        { kind: 'later' as const, taskId: 'abc', arn, text: nasty.repeat(300) },
        { kind: 'later' as const, taskId: 'abc', arn, text: nasty },
        {
          kind: 'error' as const,
          taskId: 'abc',
          message: { key: 'slack:report.where', params: { cluster: nasty } },
        },
      ]) {
        const u = renderUnfurl(t, lang, item);
        expect(u.blocks.length).toBeLessThanOrEqual(UNFURL_MAX_BLOCKS);
        expect(unfurlViolations({ 'https://eu-south-1.console.aws.amazon.com/ecs/v2/x': u })).toEqual([]);
        expect(JSON.stringify(u.blocks)).not.toContain('<!channel>');
      }
      const u = renderUnfurl(t, lang, { kind: 'report', report: huge, arn, stateKey: 'abc' });
      const button = JSON.stringify(u.blocks)
        .match(/"value":"((?:[^"\\]|\\.)*)"/)![1]!
        .replace(/\\"/g, '"');
      expect(decodeUnfurlValue(button)).toEqual({ a: arn, k: 'abc', g: lang });
    });
  }

  /** A service report as large as AWS allows, with what a person or an alert could have typed in its texts. */
  function hugeService(over: Partial<ServiceReport> = {}): ServiceReport {
    const name = `svc-${'x'.repeat(250)}`;
    const big = syntheticReport({ fail: 60, warn: 60, causes: 10, summaryLength: 6000, stopLength: 50_000 });
    return {
      schema: 1,
      kind: 'ecs-pull-service-report',
      generatedAt: '2026-11-28T09:45:00.000Z',
      target: {
        partition: 'aws',
        region: 'eu-south-1',
        account: '210987654321',
        cluster: nasty,
        service: name,
      },
      service: {
        serviceName: name,
        status: nasty.repeat(50),
        desiredCount: 3,
        runningCount: 0,
        pendingCount: 0,
        deployments: Array.from({ length: 10 }, (_, i) => ({
          id: `ecs-svc/${i}${nasty}`,
          status: 'PRIMARY',
          taskDefinition: `arn:aws:ecs:eu-south-1:210987654321:task-definition/${'f'.repeat(255)}:${i}`,
          rolloutState: 'FAILED',
          rolloutStateReason: nasty.repeat(400),
          desiredCount: 3,
          runningCount: 0,
          pendingCount: 0,
          failedTasks: 12,
        })),
        events: [],
        account: '210987654321',
        region: 'eu-south-1',
        cluster: `c-${'y'.repeat(250)}`,
        stoppedTasks: { listed: 100, described: 100, truncated: true },
      },
      groups: [
        {
          stoppedReason: nasty.repeat(1000),
          count: 100,
          taskArns: [],
          failed: true,
          report: big,
        },
      ],
      preflight: null,
      notes: [],
      links: {
        service: { url: 'https://x', label: 'x' },
        events: { url: 'https://x', label: 'x' },
        deployments: { url: 'https://x', label: 'x' },
      } as unknown as ServiceReport['links'],
      aws: big.aws,
      ...over,
    };
  }

  for (const lang of ['en', 'it'] as const) {
    it(`a service's unfurl is a few valid, escaped blocks whatever the report (${lang})`, () => {
      const t = translator(lang);
      const svcArn = 'arn:aws:ecs:eu-south-1:210987654321:service/payments/checkout';
      const lead = hugeService();
      const cases: ServiceReport[] = [
        lead,
        // The lead group has no diagnosis, only why.
        hugeService({ groups: [{ ...lead.groups[0]!, report: null, error: { key: 'slack:errors.stale' } }] }),
        // No stopped task, no pre-flight, no deployment.
        hugeService({ groups: [], service: { ...lead.service, deployments: [] } }),
      ];
      for (const report of cases) {
        const u = renderUnfurl(t, lang, { kind: 'service', report, arn: svcArn, stateKey: 'k'.repeat(20) });
        expect(u.blocks.length).toBeLessThanOrEqual(UNFURL_MAX_BLOCKS);
        expect(unfurlViolations({ 'https://eu-south-1.console.aws.amazon.com/ecs/v2/x': u })).toEqual([]);
        const text = JSON.stringify(u.blocks);
        expect(text).not.toContain('<!channel>');
        expect(text).not.toContain('<@U0EVIL>');
        expect(text).toContain(t('service:slack.subject', { service: 'svc-' }).replace(/ svc-$/, ''));
      }
      const first = JSON.stringify(
        renderUnfurl(t, lang, { kind: 'service', report: lead, arn: svcArn }).blocks,
      );
      expect(first).toContain(t('slack:cause.title'));
      expect(first).toContain(':x:');
      const none = JSON.stringify(
        renderUnfurl(t, lang, { kind: 'service', report: cases[2]!, arn: svcArn }).blocks,
      );
      expect(none).toContain(t('service:stopped.none', { count: 100 }));
      for (const item of [
        {
          kind: 'error' as const,
          taskId: 'checkout',
          message: { key: 'slack:errors.stale' },
          subject: 'service' as const,
        },
        { kind: 'later' as const, taskId: 'checkout', arn: svcArn, text: nasty, subject: 'service' as const },
      ]) {
        const u = renderUnfurl(t, lang, item);
        expect(unfurlViolations({ 'https://eu-south-1.console.aws.amazon.com/ecs/v2/x': u })).toEqual([]);
        expect(JSON.stringify(u.blocks)).toContain(t('service:slack.subject', { service: 'checkout' }));
      }
    });
  }

  it('button values: only an ARN and a language are taken', () => {
    expect(decodeUnfurlValue(encodeUnfurlValue({ a: 'arn:aws:ecs:x', g: 'it' }))).toEqual({
      a: 'arn:aws:ecs:x',
      g: 'it',
    });
    for (const bad of [undefined, '', '{', '{"a":"https://x","g":"en"}', '{"a":"arn:x","g":"fr"}', '[]'])
      expect(decodeUnfurlValue(bad)).toBeUndefined();
  });
});

describe('a person’s history', () => {
  it('keeps the newest entry of each report, newest first, at most HISTORY_MAX', () => {
    const merged = mergeHistory(
      Array.from({ length: 15 }, (_, i) => entry(i)),
      [entry(3, { at: 1 }), entry(14, { at: 1_800_000_000_000 })],
    );
    expect(merged).toHaveLength(HISTORY_MAX);
    expect(merged[0]!.id).toBe('d14');
    expect(merged[0]!.at).toBe(1_800_000_000_000);
    expect(new Set(merged.map((e) => e.id)).size).toBe(HISTORY_MAX);
    expect(merged.map((e) => e.at)).toEqual([...merged.map((e) => e.at)].sort((a, b) => b - a));
  });

  it('loses nothing to writes that race (each swap merges back what it replaced)', async () => {
    const store = new MemoryStore();
    const logged: string[] = [];
    const log = { warn: (o: unknown) => logged.push(JSON.stringify(o)), info: () => {} } as unknown as Logger;
    const deps = { store, log, inflight: new Set(), now: Date.now } as unknown as SlackDeps;
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => rememberShown(deps, {} as never, 'U0PERSON01', [entry(i)])),
    );
    expect((await historyOf(deps, 'U0PERSON01')).map((e) => e.id).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `d${i}`),
    );
    expect(logged).toEqual([]);
  });
});

describe('who may diagnose what: DMs, the workflow step, implied accounts, admins', () => {
  const config = defaultConfig({
    accounts: { [A]: { defaultCredentials: true } },
    slack: {
      channels: {
        C0PAYMENTS: { accounts: [A] },
        D0OWNENTRY: { accounts: [B] },
        C0TWO00001: { accounts: [A, B] },
      },
      defaultAccounts: [A, B],
      dm: { accounts: [A] },
      admins: ['U0ADMIN001'],
    },
  });
  const pool = new ClientPool(config);

  it('a DM uses slack.dm.accounts (its own entry first), never slack.defaultAccounts', () => {
    expect(isDirectMessage('D0DIRECT01')).toBe(true);
    expect(isDirectMessage('C0PAYMENTS')).toBe(false);
    expect(channelAccounts(config, 'D0DIRECT01')).toEqual([A]);
    expect(channelAccounts(config, 'D0OWNENTRY')).toEqual([B]);
    expect(mayDiagnose(config, pool, 'D0DIRECT01', B, 'aws')).toBe(false);
    expect(
      mayDiagnose(defaultConfig({ slack: { defaultAccounts: [A] } }), pool, 'D0DIRECT01', A, 'aws'),
    ).toBe(false);
  });

  it('a workflow step without a channel uses slack.workflow.accounts, none unless set', () => {
    expect(channelAccounts(config, WORKFLOW_SCOPE)).toEqual([]);
    expect(mayDiagnose(config, pool, WORKFLOW_SCOPE, A, 'aws')).toBe(false);
    const open = defaultConfig({ slack: { workflow: { accounts: [A] } } });
    expect(mayDiagnose(open, new ClientPool(open), WORKFLOW_SCOPE, A, 'aws')).toBe(true);
  });

  it('refusals name the setting that applied, in both languages', () => {
    for (const lang of ['en', 'it'] as const) {
      const t = translator(lang);
      const dm = refusalMessage(config, 'D0DIRECT01', B);
      expect(say(t, dm)).toContain('`slack.dm.accounts`');
      expect(say(t, dm)).toContain(B);
      const wf = refusalMessage(config, WORKFLOW_SCOPE, B);
      expect(say(t, wf)).toContain('`slack.workflow.accounts`');
      expect(refusalKeys).toEqual(expect.arrayContaining([dm.key, wf.key]));
    }
  });

  it('a reference naming no account is read in the channel’s one account, never with several or "*"', () => {
    expect(impliedAccount(config, 'C0PAYMENTS')).toBe(A);
    expect(impliedAccount(config, 'D0DIRECT01')).toBe(A);
    expect(impliedAccount(config, 'C0TWO00001')).toBeUndefined();
    expect(impliedAccount(config, 'C0ELSEWHER')).toBeUndefined();
    expect(
      impliedAccount(defaultConfig({ slack: { defaultAccounts: ['*'] } }), 'C0X0000001'),
    ).toBeUndefined();
  });

  it('admins are listed by user id', () => {
    expect(isAdmin(config, 'U0ADMIN001')).toBe(true);
    expect(isAdmin(config, 'U0SOMEONE1')).toBe(false);
    expect(isAdmin(config, undefined)).toBe(false);
  });
});

describe('settings', () => {
  it('reads slack.dm, slack.workflow and slack.admins from the environment, and refuses bad ids', () => {
    const c = loadConfig({
      ECS_PULL_SLACK_DM_ACCOUNTS: `${A}, ${B}`,
      ECS_PULL_SLACK_WORKFLOW_ACCOUNTS: '*',
      ECS_PULL_SLACK_ADMINS: 'U0ADMIN001,W0ADMIN002',
    });
    expect(c.slack.dm.accounts).toEqual([A, B]);
    expect(c.slack.workflow.accounts).toEqual(['*']);
    expect(c.slack.admins).toEqual(['U0ADMIN001', 'W0ADMIN002']);
    expect(loadConfig({}).slack.dm.accounts).toEqual([]);
    expect(loadConfig({}).slack.workflow.accounts).toEqual([]);
    for (const env of [{ ECS_PULL_SLACK_ADMINS: 'alice' }, { ECS_PULL_SLACK_DM_ACCOUNTS: '12345' }]) {
      try {
        loadConfig(env);
        expect.unreachable();
      } catch (err) {
        expect(isUserError(err)).toBe(true);
      }
    }
  });
});

describe('the DM grammar', () => {
  it('reads a reference alone as why (a service’s as service), and anything else as typed', () => {
    expect(dmCommandText('<https://eu-west-1.console.aws.amazon.com/ecs/v2/x>')).toBe(
      'why <https://eu-west-1.console.aws.amazon.com/ecs/v2/x>',
    );
    expect(dmCommandText('  arn:aws:ecs:eu-west-1:1:task/a/b ')).toBe('why arn:aws:ecs:eu-west-1:1:task/a/b');
    expect(dmCommandText('help')).toBe('help');
    // A service's console page (either layout, or an access portal link to it) or its ARN alone: the service.
    const svcPage =
      'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/web/services/api/health?region=eu-west-1';
    expect(dmCommandText(`<${svcPage}>`)).toBe(`service <${svcPage}>`);
    const oldPage =
      'https://console.aws.amazon.com/ecs/home?region=eu-west-1#/clusters/web/services/api/details';
    expect(dmCommandText(`<${oldPage}|api>`)).toBe(`service <${oldPage}|api>`);
    const portal = `https://my-org.awsapps.com/start/#/console?account_id=210987654321&amp;destination=${encodeURIComponent(svcPage)}`;
    expect(dmCommandText(`<${portal}>`)).toBe(`service <${portal}>`);
    expect(dmCommandText('arn:aws:ecs:eu-west-1:210987654321:service/web/api')).toBe(
      'service arn:aws:ecs:eu-west-1:210987654321:service/web/api',
    );
    expect(dmCommandText('service web/api')).toBe('service web/api');
    expect(dmCommandText('check web/api web:3')).toBe('check web/api web:3');
    expect(dmCommandText('why arn:x')).toBe('why arn:x');
    expect(dmCommandText(undefined)).toBe('');
  });
});
