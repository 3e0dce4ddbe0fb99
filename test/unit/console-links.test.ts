import { describe, expect, it } from 'vitest';
import { ConsoleLinks, identityCenterUrl, isConsoleUrl } from '../../src/aws/console-links.js';

describe('console links: the pages a check points at', () => {
  const l = new ConsoleLinks('aws', 'eu-south-1', '210987654321');

  it('follows the console URL patterns', () => {
    expect(l.subnet('subnet-0a1b2c3d4e5f67890').url).toBe(
      'https://eu-south-1.console.aws.amazon.com/vpcconsole/home?region=eu-south-1#SubnetDetails:subnetId=subnet-0a1b2c3d4e5f67890',
    );
    expect(l.routeTable('rtb-0123').url).toContain('#RouteTableDetails:RouteTableId=rtb-0123');
    expect(l.endpoint('vpce-0abc').url).toContain('#EndpointDetails:vpcEndpointId=vpce-0abc');
    expect(l.dhcpOptions('dopt-1').url).toContain('#DhcpOptionsDetails:DhcpOptionsId=dopt-1');
    expect(l.networkAcl('acl-1').url).toContain('#NetworkAclDetails:networkAclId=acl-1');
    expect(l.natGateway('nat-1').url).toContain('#NatGatewayDetails:natGatewayId=nat-1');
    expect(l.securityGroup('sg-1').url).toBe(
      'https://eu-south-1.console.aws.amazon.com/ec2/home?region=eu-south-1#SecurityGroup:groupId=sg-1',
    );
    expect(l.role('arn:aws:iam::210987654321:role/service/ecsTaskExecutionRole').url).toBe(
      'https://console.aws.amazon.com/iam/home#/roles/details/ecsTaskExecutionRole',
    );
    expect(l.ecrRepository('team/checkout').url).toBe(
      'https://eu-south-1.console.aws.amazon.com/ecr/repositories/private/210987654321/team/checkout?region=eu-south-1',
    );
    expect(l.task('payments', 'abc').url).toBe(
      'https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/tasks/abc/configuration?region=eu-south-1',
    );
    expect(l.taskDefinition('checkout', 42).url).toBe(
      'https://eu-south-1.console.aws.amazon.com/ecs/v2/task-definitions/checkout/42/containers?region=eu-south-1',
    );
  });

  it('uses the China and GovCloud console hosts', () => {
    expect(new ConsoleLinks('aws-cn', 'cn-north-1', '123456789012').subnet('subnet-1').url).toMatch(
      /^https:\/\/console\.amazonaws\.cn\/vpcconsole\/home\?region=cn-north-1#/,
    );
    expect(new ConsoleLinks('aws-us-gov', 'us-gov-west-1', '123456789012').role('r').url).toBe(
      'https://console.amazonaws-us-gov.com/iam/home#/roles/details/r',
    );
  });
});

describe('Identity Center shortcut: console links open in the right account and role', () => {
  const ic = { portalUrl: 'https://my-org.awsapps.com/start/', permissionSet: 'ReadOnly Access' };

  it('wraps every link with the destination URL-encoded', () => {
    const l = new ConsoleLinks('aws', 'eu-south-1', '210987654321', ic);
    const url = l.securityGroup('sg-1').url;
    expect(
      url.startsWith(
        'https://my-org.awsapps.com/start/#/console?account_id=210987654321&role_name=ReadOnly%20Access&destination=',
      ),
    ).toBe(true);
    const dest = decodeURIComponent(url.split('destination=')[1]!);
    expect(dest).toBe(
      'https://eu-south-1.console.aws.amazon.com/ec2/home?region=eu-south-1#SecurityGroup:groupId=sg-1',
    );
    // The repository of another account opens into that account.
    expect(l.ecrRepository('base', '111122223333').url).toContain('account_id=111122223333');
  });

  it('only wraps console hosts and only through an access portal', () => {
    expect(identityCenterUrl(ic, '210987654321', 'https://evil.example.com/phish')).toBe(
      'https://evil.example.com/phish',
    );
    expect(
      identityCenterUrl(
        { ...ic, portalUrl: 'https://evil.example.com/start' },
        '210987654321',
        'https://console.aws.amazon.com/iam/home',
      ),
    ).toBe('https://console.aws.amazon.com/iam/home');
    expect(isConsoleUrl('http://console.aws.amazon.com/')).toBe(false);
    expect(isConsoleUrl('https://console.aws.amazon.com.evil.com/')).toBe(false);
    expect(isConsoleUrl('https://eu-west-1.console.aws.amazon.com/ecs/v2')).toBe(true);
  });
});
