/**
 * Service references beyond what the pre-flight's tests cover (test/unit/preflight.test.ts): console URLs of every
 * tab, the old layout and an IAM Identity Center shortcut; a task ARN said to be a task; service ARNs found in a
 * whole message; the canonical ARN; a service built from an alert's parts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consoleServiceLink,
  parseServiceTarget,
  serviceArnOf,
  serviceArnRefs,
  serviceTarget,
} from '../../src/aws/service-target.js';
import { isUserError } from '../../src/errors.js';

const ACCOUNT = '210987654321';
const want = {
  partition: 'aws',
  region: 'eu-south-1',
  account: ACCOUNT,
  cluster: 'payments',
  service: 'checkout-api',
};

function keyOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (isUserError(err)) return err.key;
    throw err;
  }
  return 'no error';
}

describe('parseServiceTarget: console URLs', () => {
  it('every tab of the service page, the old layout, and an access portal shortcut to it', () => {
    for (const tab of ['health', 'events', 'deployments', 'tasks', 'configuration']) {
      expect(
        parseServiceTarget(
          `https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/services/checkout-api/${tab}?region=eu-south-1`,
          { account: ACCOUNT },
        ),
      ).toEqual(want);
    }
    expect(
      parseServiceTarget(
        'https://console.aws.amazon.com/ecs/home?region=eu-south-1#/clusters/payments/services/checkout-api/details',
        { account: ACCOUNT },
      ),
    ).toEqual(want);
    const destination = encodeURIComponent(
      'https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/services/checkout-api/health?region=eu-south-1',
    );
    // The shortcut names the account: no --account needed.
    expect(
      parseServiceTarget(
        `https://my-org.awsapps.com/start/#/console?account_id=${ACCOUNT}&role_name=ReadOnly&destination=${destination}`,
      ),
    ).toEqual(want);
    expect(consoleServiceLink('https://example.com/ecs/v2/clusters/payments/services/x')).toBeUndefined();
    expect(
      keyOf(() =>
        parseServiceTarget('https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/tasks/abc'),
      ),
    ).toBe('errors.service.not-url');
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

describe('serviceArnRefs, serviceArnOf, serviceTarget', () => {
  it('finds service ARNs of both formats in a text, not task or cluster ARNs', () => {
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
    // A region of another partition is not that partition's ARN.
    expect(serviceArnRefs(`arn:aws:ecs:cn-north-1:${ACCOUNT}:service/a/b`)).toEqual([]);
  });

  it('the canonical ARN when the account is known', () => {
    expect(serviceArnOf(want as never)).toBe(
      `arn:aws:ecs:eu-south-1:${ACCOUNT}:service/payments/checkout-api`,
    );
    expect(serviceArnOf({ ...want, account: undefined } as never)).toBeUndefined();
  });

  it('a service from an alert’s parts, each validated', () => {
    expect(serviceTarget('payments', 'checkout-api', 'eu-south-1', ACCOUNT)).toEqual(want);
    expect(keyOf(() => serviceTarget('pay ments', 'x', 'eu-south-1', ACCOUNT))).toBe(
      'errors.target.bad-cluster',
    );
    expect(keyOf(() => serviceTarget('payments', 'x.y', 'eu-south-1', ACCOUNT))).toBe(
      'errors.service.bad-name',
    );
    expect(keyOf(() => serviceTarget('payments', 'x', 'mars-1', ACCOUNT))).toBe('errors.target.bad-region');
    expect(keyOf(() => serviceTarget('payments', 'x', 'eu-south-1', '12'))).toBe('errors.target.bad-account');
  });
});
