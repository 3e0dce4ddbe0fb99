/** Service references: ARNs (both formats), CLUSTER/SERVICE, a name with a cluster, console URLs in either layout. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consoleServiceLink, parseServiceTarget, serviceArnRefs } from '../../src/aws/service-target.js';
import { isUserError } from '../../src/errors.js';

const ACCOUNT = '210987654321';
/** The target expected; `null` for no account (the credentials' own). */
const want = (region = 'eu-south-1', account: string | null = ACCOUNT) => ({
  partition: 'aws',
  region,
  account: account ?? undefined,
  cluster: 'payments',
  service: 'checkout-api',
  serviceArn: account ? `arn:aws:ecs:${region}:${account}:service/payments/checkout-api` : undefined,
});

function keyOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (isUserError(err)) return err.key;
    throw err;
  }
  return 'no error';
}

describe('parseServiceTarget', () => {
  it('a service ARN, as pasted in Slack and the terminal', () => {
    const arn = `arn:aws:ecs:eu-south-1:${ACCOUNT}:service/payments/checkout-api`;
    expect(parseServiceTarget(arn)).toEqual(want());
    expect(parseServiceTarget(`<${arn}>`)).toEqual(want());
    expect(parseServiceTarget(`"${arn}".`)).toEqual(want());
  });

  it('an old-format ARN with its cluster, and without', () => {
    const arn = `arn:aws:ecs:eu-south-1:${ACCOUNT}:service/checkout-api`;
    expect(parseServiceTarget(arn, { cluster: 'payments' })).toEqual(want());
    expect(keyOf(() => parseServiceTarget(arn))).toBe('service:errors.target.old-format-needs-cluster');
  });

  it('CLUSTER/SERVICE and a name with --cluster take the region and account given', () => {
    expect(parseServiceTarget('payments/checkout-api', { region: 'eu-south-1', account: ACCOUNT })).toEqual(
      want(),
    );
    expect(parseServiceTarget('checkout-api', { cluster: 'payments', region: 'eu-south-1' })).toEqual(
      want('eu-south-1', null),
    );
    expect(keyOf(() => parseServiceTarget('checkout-api', { region: 'eu-south-1' }))).toBe(
      'service:errors.target.needs-cluster',
    );
    expect(keyOf(() => parseServiceTarget('payments/checkout-api'))).toBe(
      'service:errors.target.needs-region',
    );
    expect(parseServiceTarget('payments/checkout-api', { defaultRegion: 'eu-west-1' }).region).toBe(
      'eu-west-1',
    );
  });

  it('console URLs of every tab, the old layout and an access portal shortcut', () => {
    for (const tab of ['health', 'events', 'deployments', 'tasks', 'configuration']) {
      expect(
        parseServiceTarget(
          `https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/services/checkout-api/${tab}?region=eu-south-1`,
          { account: ACCOUNT },
        ),
      ).toEqual(want());
    }
    expect(
      parseServiceTarget(
        'https://console.aws.amazon.com/ecs/home?region=eu-south-1#/clusters/payments/services/checkout-api/details',
        { account: ACCOUNT },
      ),
    ).toEqual(want());
    const destination = encodeURIComponent(
      'https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/services/checkout-api/health?region=eu-south-1',
    );
    expect(
      parseServiceTarget(
        `https://my-org.awsapps.com/start/#/console?account_id=${ACCOUNT}&role_name=ReadOnly&destination=${destination}`,
      ),
    ).toEqual(want());
    expect(consoleServiceLink('https://example.com/ecs/v2/clusters/payments/services/x')).toBeUndefined();
    expect(
      keyOf(() =>
        parseServiceTarget('https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/tasks/abc', {
          account: ACCOUNT,
        }),
      ),
    ).toBe('service:errors.target.not-service-url');
  });

  it('says what is wrong with what is not a service', () => {
    expect(keyOf(() => parseServiceTarget(''))).toBe('service:errors.target.empty');
    expect(
      keyOf(() =>
        parseServiceTarget(
          `arn:aws:ecs:eu-south-1:${ACCOUNT}:task/payments/0123456789abcdef0123456789abcdef`,
        ),
      ),
    ).toBe('service:errors.target.is-task');
    expect(keyOf(() => parseServiceTarget(`arn:aws:iam::${ACCOUNT}:role/x`))).toBe(
      'service:errors.target.not-ecs',
    );
    expect(keyOf(() => parseServiceTarget('a/b/c', { region: 'eu-west-1' }))).toBe(
      'service:errors.target.not-service',
    );
    expect(keyOf(() => parseServiceTarget('payments/web', { region: 'mars-1' }))).toBe(
      'errors.target.bad-region',
    );
    expect(keyOf(() => parseServiceTarget('x'.repeat(3000)))).toBe('service:errors.target.too-long');
  });

  it('never throws anything but a UserError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        try {
          parseServiceTarget(s, { region: 'eu-west-1' });
        } catch (err) {
          expect(isUserError(err)).toBe(true);
        }
      }),
    );
  });
});

describe('serviceArnRefs', () => {
  it('finds service ARNs of both formats in text, not task or cluster ARNs', () => {
    const text = `x arn:aws:ecs:eu-west-1:${ACCOUNT}:service/shop/web, arn:aws-us-gov:ecs:us-gov-west-1:${ACCOUNT}:service/api y arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/shop arn:aws:ecs:eu-west-1:${ACCOUNT}:task/shop/abc`;
    expect(serviceArnRefs(text)).toEqual([
      { partition: 'aws', region: 'eu-west-1', account: ACCOUNT, cluster: 'shop', service: 'web' },
      {
        partition: 'aws-us-gov',
        region: 'us-gov-west-1',
        account: ACCOUNT,
        cluster: undefined,
        service: 'api',
      },
    ]);
    expect(serviceArnRefs(`arn:aws:ecs:cn-north-1:${ACCOUNT}:service/a/b`)).toEqual([]);
  });
});
