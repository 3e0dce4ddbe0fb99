/** Who may ask about what, which messages are alerts, how a command reads, which language answers. */
import { describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/aws/clients.js';
import { defaultConfig } from '../../src/config.js';
import { channelAccessRows } from '../../src/doctor.js';
import { UserError } from '../../src/errors.js';
import { translator } from '../../src/i18n.js';
import { say } from '../../src/render/text.js';
import {
  channelAccounts,
  channelLanguage,
  isAlertSource,
  mayDiagnose,
  refusalKeys,
  refusalMessage,
} from '../../src/slack/access.js';
import { parseCommandText } from '../../src/slack/commands/parse.js';
import { requesterOf } from '../../src/slack/deps.js';
import { userErrorMessage } from '../../src/slack/diagnoser.js';
import { messageOf } from '../../src/slack/events/alert-message.js';
import { mentionWords } from '../../src/slack/events/app-mention.js';
import { takeLangToken } from '../../src/slack/language.js';
import { Limiter } from '../../src/slack/limiter.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';

describe('channel permissions', () => {
  const config = defaultConfig({
    defaultLanguage: 'en',
    accounts: { [A]: { defaultCredentials: true }, [B]: { roleArn: `arn:aws:iam::${B}:role/diag` } },
    slack: {
      channels: {
        C0PAYMENTS: { accounts: [A], language: 'it' },
        C0PLATFORM: { accounts: ['*'] },
        C0NOTHING1: { accounts: [] },
      },
      defaultAccounts: [B],
    },
  });
  const pool = new ClientPool(config);

  it('a channel sees its own accounts, else the default ones', () => {
    expect(channelAccounts(config, 'C0PAYMENTS')).toEqual([A]);
    expect(channelAccounts(config, 'C0ELSEWHERE')).toEqual([B]);
    expect(mayDiagnose(config, pool, 'C0PAYMENTS', A, 'aws')).toBe(true);
    expect(mayDiagnose(config, pool, 'C0PAYMENTS', B, 'aws')).toBe(false);
    expect(mayDiagnose(config, pool, 'C0ELSEWHERE', B, 'aws')).toBe(true);
    expect(mayDiagnose(config, pool, 'C0ELSEWHERE', A, 'aws')).toBe(false);
    expect(mayDiagnose(config, pool, 'C0NOTHING1', A, 'aws')).toBe(false);
    expect(mayDiagnose(config, pool, 'C0PAYMENTS', undefined, 'aws')).toBe(false);
  });

  it('"*" means every account the configuration can reach, and no other', () => {
    expect(mayDiagnose(config, pool, 'C0PLATFORM', A, 'aws')).toBe(true);
    expect(mayDiagnose(config, pool, 'C0PLATFORM', B, 'aws')).toBe(true);
    expect(mayDiagnose(config, pool, 'C0PLATFORM', C, 'aws')).toBe(false);
    const withTemplate = defaultConfig({
      roleNameTemplate: 'ecs-pull-diagnostics',
      slack: { defaultAccounts: ['*'] },
    });
    expect(mayDiagnose(withTemplate, new ClientPool(withTemplate), 'C0ANY', C, 'aws')).toBe(true);
  });

  it('unset, slack.defaultAccounts lets a channel without its own entry diagnose nothing, template or not', () => {
    const open = defaultConfig({
      roleNameTemplate: 'ecs-pull-diagnostics',
      accounts: { [A]: { defaultCredentials: true } },
      slack: { channels: { C0PAYMENTS: { accounts: [A] } } },
    });
    const p = new ClientPool(open);
    expect(channelAccounts(open, 'C0ELSEWHERE')).toEqual([]);
    expect(channelAccounts(open, undefined)).toEqual([]);
    for (const account of [A, B, C]) {
      expect(mayDiagnose(open, p, 'C0ELSEWHERE', account, 'aws')).toBe(false);
      expect(mayDiagnose(open, p, 'D0DIRECT01', account, 'aws')).toBe(false);
      expect(mayDiagnose(open, p, undefined, account, 'aws')).toBe(false);
    }
    expect(mayDiagnose(open, p, 'C0PAYMENTS', A, 'aws')).toBe(true);
  });

  it('the refusal names the setting to change: the channel’s own list, or slack.defaultAccounts as well', () => {
    const en = translator('en');
    const it_ = translator('it');
    const own = refusalMessage(config, 'C0PAYMENTS', B);
    expect(say(en, own)).toContain(`account ${B}`);
    expect(say(en, own)).toContain('`slack.channels.C0PAYMENTS.accounts`');
    expect(say(en, own)).not.toContain('defaultAccounts');
    expect(say(it_, own)).toContain('`slack.channels.C0PAYMENTS.accounts`');
    const none = refusalMessage(config, 'C0ELSEWHERE', A);
    for (const t of [en, it_]) {
      expect(say(t, none)).toContain(A);
      expect(say(t, none)).toContain('`slack.channels.C0ELSEWHERE.accounts`');
      expect(say(t, none)).toContain('`slack.defaultAccounts`');
    }
    expect(refusalKeys).toEqual(expect.arrayContaining([own.key, none.key]));
  });

  it('a channel answers in its language, else the default', () => {
    expect(channelLanguage(config, 'C0PAYMENTS')).toBe('it');
    expect(channelLanguage(config, 'C0PLATFORM')).toBe('en');
    expect(channelLanguage(config, undefined)).toBe('en');
  });
});

describe('doctor: which channels may diagnose what', () => {
  const en = translator('en');
  const rows = (
    slack: NonNullable<Parameters<typeof defaultConfig>[0]>['slack'],
    roleNameTemplate?: string,
  ) => channelAccessRows(defaultConfig({ ...(roleNameTemplate ? { roleNameTemplate } : {}), slack }));

  it('warns when no channel may diagnose anything', () => {
    const setups: Array<NonNullable<Parameters<typeof defaultConfig>[0]>['slack']> = [
      {},
      { channels: { C0QUIET001: { language: 'it' } } },
      { channels: { C0NONE0001: { accounts: [] } } },
    ];
    for (const slack of setups) {
      const [r, ...more] = rows(slack);
      expect(more).toEqual([]);
      expect(r).toMatchObject({ status: 'warn' });
      expect(say(en, r!.detail)).toContain('no channel may diagnose anything');
      expect(say(en, r!.fix!)).toContain('slack.defaultAccounts');
    }
  });

  it('warns when "*" meets roleNameTemplate, naming where the "*" is', () => {
    const r = rows(
      { channels: { C0PLATFORM: { accounts: ['*'] } }, defaultAccounts: ['*'] },
      'ecs-pull-diagnostics',
    );
    expect(r).toHaveLength(1);
    expect(r[0]!.status).toBe('warn');
    expect(say(en, r[0]!.detail)).toContain('slack.channels.C0PLATFORM.accounts, slack.defaultAccounts');
    expect(say(en, r[0]!.detail)).toContain('any account id');
    // Without a template "*" is only the configured accounts.
    expect(rows({ defaultAccounts: ['*'] }).map((x) => x.status)).toEqual(['pass']);
  });

  it('passes an explicit setup', () => {
    const r = rows(
      { channels: { C0PAYMENTS: { accounts: [A] } }, defaultAccounts: [] },
      'ecs-pull-diagnostics',
    );
    expect(r.map((x) => x.status)).toEqual(['pass']);
    expect(say(en, r[0]!.detail)).toBe('1 channel with accounts of its own; other channels: —');
  });
});

describe('what Slack shows of a diagnosis that could not start', () => {
  const session = 'arn:aws:sts::111111111111:assumed-role/ecs-pull-diagnostics/ecs-pull-slack-T0TEAM-U0ALICE';
  const leaks = [
    session,
    'ecs-pull-slack-T0TEAM-U0ALICE',
    'assumed-role',
    '5d1e0b7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  ];
  const cases = [
    new UserError('errors.account.assume-failed', {
      account: A,
      code: 'AccessDenied',
      message: `User: ${session} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${A}:role/diag`,
    }),
    new UserError('errors.task.unreadable', {
      cluster: 'web',
      region: 'eu-west-1',
      account: A,
      id: '0123456789abcdef0123456789abcdef',
      code: 'ServerException',
      message: `Service error for ${session}. Request ID: 5d1e0b7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b`,
    }),
    new UserError('errors.account.not-configured', { account: C, configured: `${A}, ${B}` }),
  ];
  for (const err of cases) {
    it(`${err.key}: the account and the code, never AWS's message (the log keeps it)`, () => {
      const msg = userErrorMessage(err, 'c0ffee42');
      expect(msg.params).not.toHaveProperty('message');
      for (const t of [translator('en'), translator('it')]) {
        const text = say(t, msg);
        expect(text).toContain(String(err.params.account));
        for (const leak of leaks) expect(text).not.toContain(leak);
        expect(text).not.toMatch(/arn:aws/);
        if (err.params.code) expect(text).toContain(String(err.params.code));
        if (err.key !== 'errors.account.not-configured') expect(text).toContain('c0ffee42');
        else expect(text).not.toContain(B);
      }
    });
  }
});

describe('alert sources', () => {
  const bot = { bot_id: 'B0ALERTS1' };
  it('acts on nothing when no source is configured', () => {
    expect(isAlertSource(defaultConfig(), bot, 'C0ALERTS01')).toBe(false);
  });
  it('acts on listed bots and apps, in listed channels when channels are listed', () => {
    const c = defaultConfig({
      slack: { alertSources: { botIds: ['B0ALERTS1'], appIds: ['A0QDEVELOP'], channels: [] } },
    });
    expect(isAlertSource(c, bot, 'C0ANY00001')).toBe(true);
    expect(isAlertSource(c, { bot_id: 'B0OTHER01', app_id: 'A0QDEVELOP' }, 'C0ANY00001')).toBe(true);
    expect(isAlertSource(c, { bot_id: 'B0OTHER01' }, 'C0ANY00001')).toBe(false);
    const inChannel = defaultConfig({
      slack: { alertSources: { botIds: ['B0ALERTS1'], appIds: [], channels: ['C0ALERTS01'] } },
    });
    expect(isAlertSource(inChannel, bot, 'C0ALERTS01')).toBe(true);
    expect(isAlertSource(inChannel, bot, 'C0GENERAL1')).toBe(false);
  });
  it('with channels only, any app in those channels; never a person', () => {
    const c = defaultConfig({
      slack: { alertSources: { botIds: [], appIds: [], channels: ['C0ALERTS01'] } },
    });
    expect(isAlertSource(c, { bot_id: 'B0WHATEVER' }, 'C0ALERTS01')).toBe(true);
    expect(isAlertSource(c, {}, 'C0ALERTS01')).toBe(false);
  });
  it('reads new messages and the new version of edited ones, nothing else', () => {
    expect(messageOf({ ts: '1', text: 'x' })?.ts).toBe('1');
    expect(messageOf({ subtype: 'bot_message', ts: '2' })?.ts).toBe('2');
    expect(messageOf({ subtype: 'message_changed', message: { ts: '3' } })?.ts).toBe('3');
    expect(
      messageOf({ subtype: 'message_changed', message: { ts: '3', subtype: 'tombstone' } }),
    ).toBeUndefined();
    expect(messageOf({ subtype: 'channel_join', ts: '4' })).toBeUndefined();
    expect(messageOf({ subtype: 'message_deleted', ts: '5' })).toBeUndefined();
  });
});

describe('the /ecs-pull grammar', () => {
  const arn = 'arn:aws:ecs:eu-west-1:111111111111:task/web/0123456789abcdef0123456789abcdef';
  it('why, a bare ARN, help and empty', () => {
    expect(parseCommandText(`why ${arn}`)).toEqual({ kind: 'why', ref: arn, opts: {} });
    expect(parseCommandText(`perché <${arn}>`)).toMatchObject({ kind: 'why', ref: `<${arn}>` });
    expect(parseCommandText(arn)).toMatchObject({ kind: 'why', ref: arn });
    expect(parseCommandText('help')).toEqual({ kind: 'help' });
    expect(parseCommandText('  ')).toEqual({ kind: 'help' });
    expect(parseCommandText('aiuto lang:it')).toEqual({ kind: 'help', lang: 'it' });
  });
  it('lang:, cluster:, region:, account:', () => {
    expect(parseCommandText(`why ${arn} lang:IT`)).toEqual({ kind: 'why', ref: arn, opts: {}, lang: 'it' });
    expect(
      parseCommandText(
        'why 0123456789abcdef0123456789abcdef cluster:web region:eu-west-1 account:111111111111',
      ),
    ).toEqual({
      kind: 'why',
      ref: '0123456789abcdef0123456789abcdef',
      opts: { cluster: 'web', region: 'eu-west-1', account: '111111111111' },
    });
  });
  it('anything else is usage, with the reason', () => {
    expect(parseCommandText('why')).toMatchObject({ kind: 'usage', reason: { key: 'errors.target.empty' } });
    expect(parseCommandText('status')).toMatchObject({
      kind: 'usage',
      reason: { key: 'slack:usage.unknown' },
    });
    expect(parseCommandText(`why ${arn} please`)).toMatchObject({
      kind: 'usage',
      reason: { key: 'slack:usage.extra' },
    });
    expect(parseCommandText(`why ${arn} lang:de`)).toMatchObject({
      kind: 'usage',
      reason: { key: 'errors.lang', params: { value: 'de' } },
    });
  });
  it('mentions: words without the mention, language token taken out', () => {
    expect(mentionWords('<@U0ECSPULL> why lang:it')).toEqual(['why', 'lang:it']);
    expect(takeLangToken(['why', 'lingua:en'])).toEqual({ lang: 'en', rest: ['why'] });
  });
});

describe('Limiter and requester', () => {
  it('never runs more than its bound at once, and runs everything', async () => {
    const limiter = new Limiter(2);
    let active = 0;
    let peak = 0;
    const done = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        limiter.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
          return i;
        }),
      ),
    );
    expect(done).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(peak).toBe(2);
  });
  it('names the role session after the team and the person', () => {
    expect(requesterOf('T0TEAM', 'U0ALICE')).toBe('slack-T0TEAM-U0ALICE');
  });
});
