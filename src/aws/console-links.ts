/** Console deep links to the resources a check looked at, per partition (China and GovCloud have their own hosts). */
import { consoleHost, type Partition } from './partition.js';

export type LinkKind =
  | 'subnet'
  | 'vpc'
  | 'route-table'
  | 'vpc-endpoint'
  | 'dhcp-options'
  | 'security-group'
  | 'network-acl'
  | 'nat-gateway'
  | 'internet-gateway'
  | 'iam-role'
  | 'ecr-repository'
  | 'ecs-task'
  | 'ecs-service'
  | 'ecs-service-events'
  | 'ecs-service-deployments'
  | 'task-definition'
  | 'secret'
  | 'ssm-parameter'
  | 'kms-key'
  | 'log-group'
  | 'efs-file-system'
  | 'efs-access-point'
  | 'cloudtrail-event';

/** A console page for one resource. */
export interface LinkRef {
  kind: LinkKind;
  /** The resource id shown on the button. */
  id: string;
  url: string;
}

const enc = encodeURIComponent;

/** Hosts a console link may point at (destinations of an Identity Center shortcut are checked against them). */
const consoleHostPattern =
  /^(?:(?:[a-z]{2}(?:-gov)?-[a-z]+-\d+\.)?console\.aws\.amazon\.com|console\.amazonaws\.cn|console\.amazonaws-us-gov\.com)$/;
/** Access portal hosts of IAM Identity Center. */
const portalHostPattern = /^[a-z0-9-]+\.(?:awsapps\.com|awsapps\.cn|portal\.[a-z0-9-]+\.app\.aws)$/;

/** An IAM Identity Center access portal and the permission set console links should open with. */
export interface IdentityCenterLink {
  /** e.g. https://my-org.awsapps.com/start */
  portalUrl: string;
  permissionSet: string;
}

/** True when the URL is an https console URL of one of the partitions. */
export function isConsoleUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && consoleHostPattern.test(u.hostname);
  } catch {
    return false;
  }
}

/** True when the URL is an https IAM Identity Center access portal URL. */
export function isPortalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && portalHostPattern.test(u.hostname);
  } catch {
    return false;
  }
}

/**
 * Wraps a console URL in the access portal's shortcut so that it opens signed in to `account` with the
 * permission set. Anything but a console URL, or a portal that is not an access portal, is returned as is.
 */
export function identityCenterUrl(ic: IdentityCenterLink, account: string, destination: string): string {
  if (!isConsoleUrl(destination) || !isPortalUrl(ic.portalUrl) || !/^\d{12}$/.test(account))
    return destination;
  const portal = ic.portalUrl.replace(/\/+$/, '').replace(/\/start$/, '');
  return `${portal}/start/#/console?account_id=${account}&role_name=${enc(ic.permissionSet)}&destination=${enc(destination)}`;
}

/** Builds console URLs for one account and region. */
export class ConsoleLinks {
  constructor(
    readonly partition: Partition,
    readonly region: string,
    readonly account: string,
    /**
     * When set, every link opens through the Identity Center portal into the account the resource is in: one
     * portal and permission set, or a lookup by account (accounts may use different permission sets).
     */
    identityCenter?: IdentityCenterLink | ((account: string) => IdentityCenterLink | undefined) | undefined,
  ) {
    this.identityCenter = typeof identityCenter === 'function' ? identityCenter : () => identityCenter;
  }

  private readonly identityCenter: (account: string) => IdentityCenterLink | undefined;

  private base(region = this.region): string {
    return `https://${consoleHost(this.partition, region)}`;
  }

  /** Applies the Identity Center shortcut when configured. */
  private out(ref: LinkRef, account = this.account): LinkRef {
    const ic = this.identityCenter(account);
    return ic ? { ...ref, url: identityCenterUrl(ic, account, ref.url) } : ref;
  }

  private vpc(fragment: string, kind: LinkKind, id: string): LinkRef {
    return this.out({
      kind,
      id,
      url: `${this.base()}/vpcconsole/home?region=${this.region}#${fragment}=${enc(id)}`,
    });
  }

  subnet(id: string): LinkRef {
    return this.vpc('SubnetDetails:subnetId', 'subnet', id);
  }
  vpcDetails(id: string): LinkRef {
    return this.vpc('VpcDetails:VpcId', 'vpc', id);
  }
  routeTable(id: string): LinkRef {
    return this.vpc('RouteTableDetails:RouteTableId', 'route-table', id);
  }
  endpoint(id: string): LinkRef {
    return this.vpc('EndpointDetails:vpcEndpointId', 'vpc-endpoint', id);
  }
  dhcpOptions(id: string): LinkRef {
    return this.vpc('DhcpOptionsDetails:DhcpOptionsId', 'dhcp-options', id);
  }
  networkAcl(id: string): LinkRef {
    return this.vpc('NetworkAclDetails:networkAclId', 'network-acl', id);
  }
  natGateway(id: string): LinkRef {
    return this.vpc('NatGatewayDetails:natGatewayId', 'nat-gateway', id);
  }
  internetGateway(id: string): LinkRef {
    return this.vpc('InternetGateway:internetGatewayId', 'internet-gateway', id);
  }
  securityGroup(id: string): LinkRef {
    return this.out({
      kind: 'security-group',
      id,
      url: `${this.base()}/ec2/home?region=${this.region}#SecurityGroup:groupId=${enc(id)}`,
    });
  }
  /** IAM is global: no region in the host. Accepts a role name or ARN (path is dropped). */
  role(nameOrArn: string): LinkRef {
    const name = nameOrArn.split('/').pop() ?? nameOrArn;
    return this.out({
      kind: 'iam-role',
      id: name,
      url: `https://${consoleHost(this.partition)}/iam/home#/roles/details/${enc(name)}`,
    });
  }
  ecrRepository(repository: string, account = this.account, region = this.region): LinkRef {
    return this.out(
      {
        kind: 'ecr-repository',
        id: repository,
        url: `${this.base(region)}/ecr/repositories/private/${account}/${repository}?region=${region}`,
      },
      account,
    );
  }
  task(cluster: string, taskId: string): LinkRef {
    return this.out({
      kind: 'ecs-task',
      id: taskId,
      url: `${this.base()}/ecs/v2/clusters/${enc(cluster)}/tasks/${enc(taskId)}/configuration?region=${this.region}`,
    });
  }
  service(cluster: string, service: string): LinkRef {
    return this.out({
      kind: 'ecs-service',
      id: service,
      url: `${this.base()}/ecs/v2/clusters/${enc(cluster)}/services/${enc(service)}/health?region=${this.region}`,
    });
  }
  /** A tab of the service's page: its events, or its deployments (rollout state, circuit breaker). */
  serviceTab(cluster: string, service: string, tab: 'events' | 'deployments'): LinkRef {
    return this.out({
      kind: tab === 'events' ? 'ecs-service-events' : 'ecs-service-deployments',
      id: service,
      url: `${this.base()}/ecs/v2/clusters/${enc(cluster)}/services/${enc(service)}/${tab}?region=${this.region}`,
    });
  }
  taskDefinition(family: string, revision: number | string): LinkRef {
    return this.out({
      kind: 'task-definition',
      id: `${family}:${revision}`,
      url: `${this.base()}/ecs/v2/task-definitions/${enc(family)}/${revision}/containers?region=${this.region}`,
    });
  }
  secret(nameOrArn: string): LinkRef {
    const name = nameOrArn.startsWith('arn:') ? (nameOrArn.split(':')[6] ?? nameOrArn) : nameOrArn;
    return this.out({
      kind: 'secret',
      id: name,
      url: `${this.base()}/secretsmanager/secret?name=${enc(name)}&region=${this.region}`,
    });
  }
  ssmParameter(name: string): LinkRef {
    const n = name.startsWith('arn:') ? name.replace(/^arn:[^:]+:ssm:[^:]+:\d+:parameter/, '') : name;
    return this.out({
      kind: 'ssm-parameter',
      id: n,
      url: `${this.base()}/systems-manager/parameters/${enc(n.replace(/^\//, ''))}/description?region=${this.region}`,
    });
  }
  /** CloudWatch's console spells a log group in its fragment URL-encoded twice, with `$` for `%`. */
  logGroup(name: string, region = this.region): LinkRef {
    const fragment = enc(enc(name)).replaceAll('%', '$');
    return this.out({
      kind: 'log-group',
      id: name,
      url: `${this.base(region)}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${fragment}`,
    });
  }
  efsFileSystem(id: string): LinkRef {
    return this.out({
      kind: 'efs-file-system',
      id,
      url: `${this.base()}/efs/home?region=${this.region}#/file-systems/${enc(id)}`,
    });
  }
  efsAccessPoint(id: string): LinkRef {
    return this.out({
      kind: 'efs-access-point',
      id,
      url: `${this.base()}/efs/home?region=${this.region}#/access-points/${enc(id)}`,
    });
  }
  /** One event of CloudTrail's event history, in the region it is recorded in (IAM's: the global region). */
  cloudTrailEvent(eventId: string, region = this.region, account = this.account): LinkRef {
    return this.out(
      {
        kind: 'cloudtrail-event',
        id: eventId,
        url: `${this.base(region)}/cloudtrail/home?region=${region}#/events/${enc(eventId)}`,
      },
      account,
    );
  }
  kmsKey(idOrArn: string): LinkRef {
    const id = idOrArn.split('/').pop() ?? idOrArn;
    return this.out({
      kind: 'kms-key',
      id,
      url: `${this.base()}/kms/home?region=${this.region}#/kms/keys/${enc(id)}`,
    });
  }
}
