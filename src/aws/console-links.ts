/** Console deep links to the resources a check looked at (patterns from SLACK.md), per partition. */
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
  | 'task-definition'
  | 'secret'
  | 'ssm-parameter'
  | 'kms-key';

/** A console page for one resource. */
export interface LinkRef {
  kind: LinkKind;
  /** The resource id shown on the button. */
  id: string;
  url: string;
}

const enc = encodeURIComponent;

/** Builds console URLs for one account and region. */
export class ConsoleLinks {
  constructor(
    readonly partition: Partition,
    readonly region: string,
    readonly account: string,
  ) {}

  private base(region = this.region): string {
    return `https://${consoleHost(this.partition, region)}`;
  }

  private vpc(fragment: string, kind: LinkKind, id: string): LinkRef {
    return { kind, id, url: `${this.base()}/vpcconsole/home?region=${this.region}#${fragment}=${enc(id)}` };
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
    return {
      kind: 'security-group',
      id,
      url: `${this.base()}/ec2/home?region=${this.region}#SecurityGroup:groupId=${enc(id)}`,
    };
  }
  /** IAM is global: no region in the host. Accepts a role name or ARN (path is dropped). */
  role(nameOrArn: string): LinkRef {
    const name = nameOrArn.split('/').pop() ?? nameOrArn;
    return {
      kind: 'iam-role',
      id: name,
      url: `https://${consoleHost(this.partition)}/iam/home#/roles/details/${enc(name)}`,
    };
  }
  ecrRepository(repository: string, account = this.account, region = this.region): LinkRef {
    return {
      kind: 'ecr-repository',
      id: repository,
      url: `${this.base(region)}/ecr/repositories/private/${account}/${repository}?region=${region}`,
    };
  }
  task(cluster: string, taskId: string): LinkRef {
    return {
      kind: 'ecs-task',
      id: taskId,
      url: `${this.base()}/ecs/v2/clusters/${enc(cluster)}/tasks/${enc(taskId)}/configuration?region=${this.region}`,
    };
  }
  service(cluster: string, service: string): LinkRef {
    return {
      kind: 'ecs-service',
      id: service,
      url: `${this.base()}/ecs/v2/clusters/${enc(cluster)}/services/${enc(service)}/health?region=${this.region}`,
    };
  }
  taskDefinition(family: string, revision: number | string): LinkRef {
    return {
      kind: 'task-definition',
      id: `${family}:${revision}`,
      url: `${this.base()}/ecs/v2/task-definitions/${enc(family)}/${revision}/containers?region=${this.region}`,
    };
  }
  secret(nameOrArn: string): LinkRef {
    const name = nameOrArn.startsWith('arn:') ? (nameOrArn.split(':')[6] ?? nameOrArn) : nameOrArn;
    return {
      kind: 'secret',
      id: name,
      url: `${this.base()}/secretsmanager/secret?name=${enc(name)}&region=${this.region}`,
    };
  }
  ssmParameter(name: string): LinkRef {
    const n = name.startsWith('arn:') ? name.replace(/^arn:[^:]+:ssm:[^:]+:\d+:parameter/, '') : name;
    return {
      kind: 'ssm-parameter',
      id: n,
      url: `${this.base()}/systems-manager/parameters/${enc(n.replace(/^\//, ''))}/description?region=${this.region}`,
    };
  }
  kmsKey(idOrArn: string): LinkRef {
    const id = idOrArn.split('/').pop() ?? idOrArn;
    return { kind: 'kms-key', id, url: `${this.base()}/kms/home?region=${this.region}#/kms/keys/${enc(id)}` };
  }
}
