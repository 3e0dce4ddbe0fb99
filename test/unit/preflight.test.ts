/**
 * The pre-flight without AWS: what `ecs-pull check` and `/ecs-pull check` accept (services, task definitions,
 * awsvpc ids, the options that go together), the verdict (any failure blocks; warnings and unverified checks do
 * not), checks that need a failed task declared not applicable, and the reports of the bundled pre-flight
 * scenarios (saved from moto) in text, JSON and Block Kit, in both languages.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConsoleLinks } from '../../src/aws/console-links.js';
import {
  parseSecurityGroupIds,
  parseServiceTarget,
  parseSubnetIds,
  parseTaskDefinitionRef,
} from '../../src/aws/service-target.js';
import { type CheckOptions, checkPlan, preflightRequest } from '../../src/cli/check.js';
import { checkScenarioNames, DEFAULT_CHECK_SCENARIO, replayCheckScenario } from '../../src/cli/demo.js';
import { run } from '../../src/cli.js';
import type { Language } from '../../src/config.js';
import { checkVerdict } from '../../src/diagnosis/check-report.js';
import { runChecks } from '../../src/diagnosis/checks/index.js';
import { type CheckResult, defineCheck, results } from '../../src/diagnosis/checks/types.js';
import { isUserError } from '../../src/errors.js';
import { translator } from '../../src/i18n.js';
import { LIMITS } from '../../src/render/blockkit.js';
import { renderCheckReply } from '../../src/render/check-blocks.js';
import { renderCheckJson, renderCheckText } from '../../src/render/check-text.js';
import { checkAccount } from '../../src/slack/commands/check.js';
import { parseCommandText } from '../../src/slack/commands/parse.js';
import { contextOf, loadFacts } from '../helpers/checks.js';
import { captureIo } from '../helpers/cli.js';
import { blockKitViolations } from '../helpers/slack-blockkit.js';

/** The key of the UserError fn throws (fails the test when it throws anything else, or nothing). */
function errorKey(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isUserError(err)) return err.key;
    throw err;
  }
  throw new Error('no error');
}

describe('service references', () => {
  it('CLUSTER/SERVICE, a bare name (--cluster, else the default cluster), ARNs in both formats, console URLs', () => {
    const r = { region: 'eu-west-1' };
    expect(parseServiceTarget('shop/checkout', r)).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      account: undefined,
      cluster: 'shop',
      service: 'checkout',
    });
    expect(parseServiceTarget('checkout', { ...r, cluster: 'shop' })).toMatchObject({ cluster: 'shop' });
    expect(parseServiceTarget('checkout', r)).toMatchObject({ cluster: 'default' });
    expect(parseServiceTarget('arn:aws:ecs:eu-south-1:210987654321:service/shop/checkout')).toEqual({
      partition: 'aws',
      region: 'eu-south-1',
      account: '210987654321',
      cluster: 'shop',
      service: 'checkout',
    });
    expect(
      parseServiceTarget('arn:aws:ecs:eu-south-1:210987654321:service/checkout', { cluster: 'shop' }),
    ).toMatchObject({ cluster: 'shop', service: 'checkout' });
    expect(parseServiceTarget('arn:aws-cn:ecs:cn-north-1:210987654321:service/a/b')).toMatchObject({
      partition: 'aws-cn',
    });
    expect(
      parseServiceTarget(
        'https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/shop/services/checkout/health?region=eu-south-1',
      ),
    ).toMatchObject({ region: 'eu-south-1', cluster: 'shop', service: 'checkout', account: undefined });
    expect(
      parseServiceTarget(
        'https://console.aws.amazon.com/ecs/v2/clusters/shop/services/checkout/deployments',
        r,
      ),
    ).toMatchObject({ region: 'eu-west-1', cluster: 'shop' });
    // What Slack and terminals add around a reference.
    expect(parseServiceTarget('<arn:aws:ecs:eu-south-1:210987654321:service/shop/checkout>.')).toMatchObject({
      service: 'checkout',
    });
    expect(parseServiceTarget('shop/checkout', { defaultRegion: 'us-east-1' })).toMatchObject({
      region: 'us-east-1',
    });
  });

  it('refuses what is not a service, each with its own localized reason', () => {
    const r = { region: 'eu-west-1' };
    expect(errorKey(() => parseServiceTarget('', r))).toBe('errors.service.empty');
    expect(errorKey(() => parseServiceTarget('x'.repeat(3000), r))).toBe('errors.service.too-long');
    expect(errorKey(() => parseServiceTarget('shop/check.out', r))).toBe('errors.service.bad-name');
    expect(errorKey(() => parseServiceTarget('a/b/c', r))).toBe('errors.service.not-service-ref');
    expect(errorKey(() => parseServiceTarget('shop/checkout'))).toBe('errors.service.needs-region');
    expect(
      errorKey(() =>
        parseServiceTarget('arn:aws:ecs:eu-west-1:210987654321:task/shop/0123456789abcdef0123456789abcdef'),
      ),
    ).toBe('errors.service.not-service');
    expect(errorKey(() => parseServiceTarget('arn:aws:ecs:eu-west-1:210987654321:service/checkout'))).toBe(
      'errors.service.old-format-needs-cluster',
    );
    expect(
      errorKey(() =>
        parseServiceTarget('arn:aws:ecs:eu-west-1:210987654321:service/shop/checkout', {
          account: '123456789012',
        }),
      ),
    ).toBe('errors.service.other-account');
    expect(errorKey(() => parseServiceTarget('shop/checkout', { ...r, cluster: 'other' }))).toBe(
      'errors.service.two-clusters',
    );
    expect(errorKey(() => parseServiceTarget('arn:aws:iam::210987654321:role/x', r))).toBe(
      'errors.target.not-ecs',
    );
    expect(errorKey(() => parseServiceTarget('https://example.com/clusters/a/services/b', r))).toBe(
      'errors.service.not-url',
    );
    expect(errorKey(() => parseServiceTarget('shop/checkout', { region: 'mars-1' }))).toBe(
      'errors.target.bad-region',
    );
  });

  it('any valid cluster and service name comes back as given, as CLUSTER/SERVICE and as an ARN', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
    fc.assert(
      fc.property(name, name, (cluster, service) => {
        expect(parseServiceTarget(`${cluster}/${service}`, { region: 'eu-west-1' })).toMatchObject({
          cluster,
          service,
        });
        expect(
          parseServiceTarget(`arn:aws:ecs:eu-west-1:123456789012:service/${cluster}/${service}`),
        ).toMatchObject({ cluster, service, account: '123456789012' });
      }),
    );
  });
});

describe('task definitions and awsvpc ids', () => {
  it('FAMILY, FAMILY:REVISION and ARNs; anything else refused', () => {
    expect(parseTaskDefinitionRef('web')).toEqual({ name: 'web' });
    expect(parseTaskDefinitionRef('web:42')).toEqual({ name: 'web:42' });
    expect(parseTaskDefinitionRef('arn:aws:ecs:eu-west-1:123456789012:task-definition/web:42')).toEqual({
      name: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:42',
      region: 'eu-west-1',
      account: '123456789012',
      partition: 'aws',
    });
    for (const bad of ['web:0', 'web:x', 'we b', 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web'])
      expect(
        errorKey(() => parseTaskDefinitionRef(bad)),
        bad,
      ).toBe('errors.task-definition.bad');
    expect(errorKey(() => parseTaskDefinitionRef(' '))).toBe('errors.task-definition.empty');
  });

  it('subnet and security group ids: both id lengths, commas or spaces, repeats once, ECS’s limits', () => {
    expect(parseSubnetIds('subnet-0a1b2c3d, subnet-0a1b2c3d4e5f67890,subnet-0a1b2c3d')).toEqual([
      'subnet-0a1b2c3d',
      'subnet-0a1b2c3d4e5f67890',
    ]);
    expect(parseSecurityGroupIds('sg-0123456789abcdef0 sg-01234567')).toEqual([
      'sg-0123456789abcdef0',
      'sg-01234567',
    ]);
    expect(errorKey(() => parseSubnetIds('subnet-12'))).toBe('errors.network.bad-subnet');
    expect(errorKey(() => parseSubnetIds('sg-01234567'))).toBe('errors.network.bad-subnet');
    expect(errorKey(() => parseSubnetIds(','))).toBe('errors.network.bad-subnet');
    expect(errorKey(() => parseSecurityGroupIds('subnet-01234567'))).toBe(
      'errors.network.bad-security-group',
    );
    const many = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(8, '0')}`).join(',');
    expect(parseSubnetIds(many('subnet', 16))).toHaveLength(16);
    expect(errorKey(() => parseSubnetIds(many('subnet', 17)))).toBe('errors.network.too-many-subnets');
    expect(errorKey(() => parseSecurityGroupIds(many('sg', 6)))).toBe(
      'errors.network.too-many-security-groups',
    );
  });
});

describe('ecs-pull check options', () => {
  const net = { subnets: 'subnet-0a1b2c3d', securityGroups: 'sg-0a1b2c3d' };
  const plan = (o: CheckOptions, region?: string) => checkPlan(o, region);

  it('a service: its region and account from its ARN, a new task definition next to it', () => {
    const p = plan({
      service: 'arn:aws:ecs:eu-south-1:210987654321:service/shop/checkout',
      taskDefinition: 'checkout:7',
    });
    expect(preflightRequest(p, 'cli-me')).toEqual({
      account: '210987654321',
      region: 'eu-south-1',
      partition: 'aws',
      cluster: 'shop',
      service: 'checkout',
      taskDefinition: 'checkout:7',
      network: undefined,
      requester: 'cli-me',
    });
  });

  it('a task definition with a network: ids parsed, the public IP off unless asked, the region from its ARN', () => {
    const p = plan({
      taskDefinition: 'arn:aws:ecs:eu-south-1:210987654321:task-definition/web:3',
      ...net,
      assignPublicIp: true,
    });
    expect(preflightRequest(p, 'cli-me')).toMatchObject({
      account: '210987654321',
      region: 'eu-south-1',
      network: {
        subnetIds: ['subnet-0a1b2c3d'],
        securityGroupIds: ['sg-0a1b2c3d'],
        assignPublicIp: 'ENABLED',
      },
    });
    expect(plan({ taskDefinition: 'web:3', ...net }, 'us-east-1').network?.assignPublicIp).toBe('DISABLED');
    expect(plan({ taskDefinition: 'web:3', ...net }, 'us-east-1').region).toBe('us-east-1');
  });

  it('refuses what does not go together, before anything is read', () => {
    expect(errorKey(() => plan({}))).toBe('errors.check.nothing');
    expect(errorKey(() => plan({ taskDefinition: 'web:3' }))).toBe('errors.check.no-network');
    expect(errorKey(() => plan({ taskDefinition: 'web:3', subnets: net.subnets }))).toBe(
      'errors.check.no-security-groups',
    );
    expect(errorKey(() => plan({ service: 'shop/checkout', ...net }, 'eu-west-1'))).toBe(
      'errors.check.service-and-network',
    );
    expect(errorKey(() => plan({ service: 'shop/checkout', assignPublicIp: true }, 'eu-west-1'))).toBe(
      'errors.check.service-and-network',
    );
    expect(
      errorKey(() =>
        plan({
          service: 'arn:aws:ecs:eu-south-1:210987654321:service/shop/checkout',
          taskDefinition: 'arn:aws:ecs:eu-west-1:210987654321:task-definition/web:3',
        }),
      ),
    ).toBe('errors.check.task-definition-elsewhere');
    expect(
      errorKey(() =>
        plan({
          taskDefinition: 'arn:aws:ecs:eu-west-1:210987654321:task-definition/web:3',
          account: '123456789012',
          ...net,
        }),
      ),
    ).toBe('errors.check.task-definition-elsewhere');
    expect(errorKey(() => preflightRequest(plan({ taskDefinition: 'web:3', ...net }), 'x'))).toBe(
      'errors.check.needs-region',
    );
    expect(errorKey(() => plan({ taskDefinition: 'web:3', ...net, region: 'nowhere' }))).toBe(
      'errors.target.bad-region',
    );
    expect(errorKey(() => plan({ taskDefinition: 'web:3', ...net, account: '12' }, 'eu-west-1'))).toBe(
      'errors.target.bad-account',
    );
  });
});

describe('/ecs-pull check grammar', () => {
  it('the service, then an optional task definition, options anywhere; ARNs are never taken for options', () => {
    expect(parseCommandText('check shop/checkout')).toEqual({
      kind: 'check',
      service: 'shop/checkout',
      opts: {},
    });
    expect(parseCommandText('controlla shop/checkout checkout:8 lang:it account:210987654321')).toEqual({
      kind: 'check',
      service: 'shop/checkout',
      taskDefinition: 'checkout:8',
      opts: { account: '210987654321' },
      lang: 'it',
    });
    const arn = 'arn:aws:ecs:eu-south-1:210987654321:service/shop/checkout';
    const td = 'arn:aws:ecs:eu-south-1:210987654321:task-definition/checkout:8';
    expect(parseCommandText(`check region:eu-south-1 ${arn} ${td}`)).toEqual({
      kind: 'check',
      service: arn,
      taskDefinition: td,
      opts: { region: 'eu-south-1' },
    });
    expect(parseCommandText('check')).toMatchObject({
      kind: 'usage',
      reason: { key: 'errors.service.empty' },
    });
    expect(parseCommandText('check a/b c:1 d')).toMatchObject({
      kind: 'usage',
      reason: { key: 'slack:usage.check-extra', params: { word: 'd' } },
    });
  });

  it('the account: the ARN’s, else the one account the channel may read, else none', () => {
    const config = {
      slack: {
        channels: {
          C1: { accounts: ['210987654321'] },
          C2: { accounts: ['210987654321', '123456789012'] },
          C3: { accounts: ['*'] },
        },
        defaultAccounts: [],
      },
    } as never;
    const service = parseServiceTarget('shop/checkout', { region: 'eu-west-1' });
    expect(checkAccount(config, 'C1', service, undefined)).toBe('210987654321');
    expect(checkAccount(config, 'C2', service, undefined)).toBeUndefined();
    expect(checkAccount(config, 'C3', service, undefined)).toBeUndefined();
    expect(checkAccount(config, 'C9', service, undefined)).toBeUndefined();
    expect(checkAccount(config, 'C2', { ...service, account: '123456789012' }, undefined)).toBe(
      '123456789012',
    );
    expect(checkAccount(config, 'C2', service, { name: 'x', account: '123456789012' })).toBe('123456789012');
  });
});

describe('the verdict', () => {
  const result = (id: string, status: CheckResult['status']): CheckResult => ({
    id,
    status,
    message: { key: 'k' },
    evidence: [],
    links: [],
  });

  it('any failing check blocks; warnings and checks that could not run do not', () => {
    expect(checkVerdict([result('a', 'pass'), result('b', 'skip')])).toEqual({
      outcome: 'would-pull',
      blocking: false,
      failing: [],
      warnings: [],
      unverified: [],
    });
    expect(checkVerdict([result('a', 'warn'), result('b', 'unknown'), result('c', 'pass')])).toEqual({
      outcome: 'would-pull',
      blocking: false,
      failing: [],
      warnings: ['a'],
      unverified: ['b'],
    });
    expect(checkVerdict([result('a', 'fail'), result('b', 'warn'), result('c', 'fail')])).toMatchObject({
      outcome: 'would-fail',
      blocking: true,
      failing: ['a', 'c'],
      warnings: ['b'],
    });
  });

  it('a check that needs the failed task is a not-applicable skip in a pre-flight and runs in a diagnosis', async () => {
    let runs = 0;
    const r = results('storage.needs-task');
    const needs = defineCheck(r, {
      cause: 'disk-space',
      failedTask: 'needs',
      needs: [],
      run: () => {
        runs++;
        return r.fail('x');
      },
    });
    const saved = loadFacts('../../demo/checks/would-pull.json');
    const ctx = contextOf(saved);
    expect(ctx.source).toBe('preflight');
    const links = new ConsoleLinks(ctx.partition, ctx.region, ctx.account);
    const [skipped] = await runChecks([needs], ctx, saved.facts, links);
    expect(skipped).toMatchObject({ status: 'skip', message: { key: 'common:preflight.not-applicable' } });
    expect(runs).toBe(0);
    const [ran] = await runChecks([needs], { ...ctx, source: 'describe-tasks' }, saved.facts, links);
    expect(ran!.status).toBe('fail');
    expect(runs).toBe(1);
  });
});

describe('the bundled pre-flight scenarios', () => {
  const langs: Language[] = ['en', 'it'];
  const expected: Record<string, { outcome: string; failing: string[] }> = {
    'would-pull': { outcome: 'would-pull', failing: [] },
    'image-not-found': { outcome: 'would-fail', failing: ['image.exists'] },
    'platform-mismatch': { outcome: 'would-fail', failing: ['image.platform'] },
    'network-no-route': { outcome: 'would-fail', failing: ['network.route', 'endpoints.required'] },
  };

  it('replay to their verdicts', async () => {
    expect(checkScenarioNames().sort()).toEqual(Object.keys(expected).sort());
    expect(checkScenarioNames()).toContain(DEFAULT_CHECK_SCENARIO);
    for (const [name, want] of Object.entries(expected)) {
      const r = await replayCheckScenario(name);
      expect(r.kind, name).toBe('ecs-pull-check-report');
      expect(r.verdict, name).toMatchObject({ ...want, blocking: want.failing.length > 0, unverified: [] });
      expect(r.context.source).toBe('preflight');
      expect(r.context.network.subnetIds.length).toBeGreaterThan(0);
      expect(r.context.origins.subnets).toBe('service');
    }
  });

  it('render in both languages: the blocking checks first with their fixes, no key or variable left', async () => {
    for (const name of Object.keys(expected)) {
      const r = await replayCheckScenario(name);
      for (const lang of langs) {
        const t = translator(lang);
        const text = renderCheckText(r, t);
        expect(text, `${name} ${lang}`).not.toMatch(/\{\{|\}\}|undefined|preflight:|common:|\[object/);
        const fixWord = lang === 'it' ? 'Soluzione: ' : 'Fix: ';
        if (r.verdict.blocking) {
          const heading = text.indexOf(lang === 'it' ? '\nBloccanti\n' : '\nBlocking\n');
          expect(heading, `${name} ${lang}`).toBeGreaterThan(0);
          expect(text.indexOf(fixWord)).toBeGreaterThan(heading);
          // Nothing that blocks is listed after the checks that did not.
          expect(text.lastIndexOf('✗')).toBeLessThan(
            text.indexOf(lang === 'it' ? 'Altri controlli' : 'Other checks'),
          );
        } else {
          expect(text).not.toContain('✗');
        }
        const json = JSON.parse(renderCheckJson(r, t, lang));
        expect(json).toMatchObject({ schema: 1, kind: 'ecs-pull-check-report', lang });
        expect(json.verdict.summary.text).toBeTruthy();
        expect(
          json.checks.every((c: { title: string; message: { text: string } }) => c.title && c.message.text),
        ).toBe(true);
      }
    }
  });

  it('render for Slack within Block Kit’s limits, with buttons to the task definition and the service', async () => {
    for (const name of Object.keys(expected)) {
      const r = await replayCheckScenario(name);
      for (const lang of langs) {
        const msg = renderCheckReply(r, translator(lang), { requestedBy: 'U0ASKER01' });
        expect(blockKitViolations(msg), `${name} ${lang}`).toEqual([]);
        expect(msg.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
        const urls = msg.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.url) : []));
        expect(urls.some((u) => u?.includes('/ecs/v2/task-definitions/checkout/'))).toBe(true);
        expect(urls.some((u) => u?.includes('/ecs/v2/clusters/shop-prod/services/'))).toBe(true);
        const body = JSON.stringify(msg.blocks);
        for (const id of r.verdict.failing) expect(body, `${name} ${lang}`).toContain(id);
      }
    }
  });

  it('escape what the account says: an image name cannot mention the channel', async () => {
    const r = await replayCheckScenario('image-not-found');
    const hostile = '<!channel> <https://evil.example|click> & co';
    r.context.containers[0]!.image = hostile;
    const failing = r.checks.find((c) => c.id === 'image.exists')!;
    failing.message.params = { ...failing.message.params, repository: hostile, image: hostile };
    const msg = renderCheckReply(r, translator('en'), { requestedBy: 'U0ASKER01' });
    const body = JSON.stringify(msg);
    expect(body).not.toContain('<!channel>');
    expect(body).not.toContain('<https://evil');
    expect(body).toContain('&lt;!channel&gt;');
    expect(body).toContain('<@U0ASKER01>');
  });

  it('ecs-pull demo --check: the default scenario, a named one as JSON, the list', async () => {
    let c = captureIo();
    expect(await run(['demo', '--check'], c.io)).toBe(0);
    expect(c.out()).toContain('Offline demo: a pre-flight');
    expect(c.out()).toContain('Would fail');
    expect(c.out()).toContain('Other pre-flight scenarios: network-no-route, platform-mismatch, would-pull');
    c = captureIo();
    expect(await run(['demo', '--check', 'platform-mismatch', '--json', '--lang', 'it'], c.io)).toBe(0);
    expect(JSON.parse(c.out()).verdict.failing).toEqual(['image.platform']);
    c = captureIo();
    expect(await run(['demo', '--check', '--list', '--lang', 'it'], c.io)).toBe(0);
    expect(c.out()).toContain('Scenari demo del controllo preliminare');
    expect(c.out()).toContain('would-pull');
    c = captureIo();
    expect(await run(['demo', '--check', 'kms'], c.io)).toBe(2);
    expect(c.err()).toContain('There is no demo scenario “kms”');
  });
});
