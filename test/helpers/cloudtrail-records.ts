/**
 * CloudTrail records as AWS writes them, for the tests and the CloudTrail responder: the record envelope of the
 * documented examples (CloudTrail User Guide, "CloudTrail record contents" and the log file examples; the ECR User
 * Guide's CreateRepository, PutImage and lifecycle-policy PolicyExecutionEvent examples; the KMS RotateKey service
 * event), each event's requestParameters and responseElements in the names CloudTrail records them: EC2's query
 * API in lower camel case with `{items: […]}` sets, `_return` and `aclProtocol`; EC2's newer APIs (NAT gateways, VPC
 * endpoints) inside a `<Action>Request` envelope with capitalized names and `{tag, content}` list items; the JSON
 * services (ECR, KMS, Secrets Manager, ECS) and IAM as their API names them. LookupEvents answers with each record as
 * a JSON string (CloudTrailEvent), its time in epoch seconds and ReadOnly as a string.
 */

export type Json = Record<string, unknown>;

/** Who made a call: the userIdentity element. */
export const identity = {
  /** An IAM Identity Center user through a permission set (the role AWS reserves for it, the user as session). */
  sso: (account: string, user = 'maria.rossi@example.com', permissionSet = 'NetworkAdmin'): Json => {
    const role = `AWSReservedSSO_${permissionSet}_4f1c9d2e7a8b6c30`;
    return {
      type: 'AssumedRole',
      principalId: `AROA3XFRBF535EXAMPLE1:${user}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/${user}`,
      accountId: account,
      accessKeyId: 'ASIA3XFRBF53EXAMPLE2',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROA3XFRBF535EXAMPLE1',
          arn: `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/eu-west-1/${role}`,
          accountId: account,
          userName: role,
        },
        webIdFederationData: {},
        attributes: { creationDate: '2026-11-29T03:58:12Z', mfaAuthenticated: 'false' },
      },
    };
  },
  /** A role session (a CI pipeline, Terraform). */
  role: (account: string, role: string, session: string): Json => ({
    type: 'AssumedRole',
    principalId: `AROA3XFRBF535EXAMPLE9:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    accessKeyId: 'ASIA3XFRBF53EXAMPLE8',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROA3XFRBF535EXAMPLE9',
        arn: `arn:aws:iam::${account}:role/${role}`,
        accountId: account,
        userName: role,
      },
      webIdFederationData: {},
      attributes: { creationDate: '2026-11-29T01:10:44Z', mfaAuthenticated: 'false' },
    },
  }),
  /** An IAM user (the log file examples' Alice). */
  user: (account: string, name = 'Alice'): Json => ({
    type: 'IAMUser',
    principalId: 'AIDAJ45Q7YFFAREXAMPLE',
    arn: `arn:aws:iam::${account}:user/${name}`,
    accountId: account,
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    userName: name,
  }),
  /** A service acting on its own (lifecycle policies, key rotation). */
  internal: (account: string): Json => ({ accountId: account, invokedBy: 'AWS Internal' }),
};

/** What each kind of caller's client says it is. */
export const agents = {
  console: 'console.ec2.amazonaws.com',
  cli: 'aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#ec2.delete-route',
  terraform:
    'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.196.0',
  internal: 'AWS Internal',
};

let seq = 0;
/** A CloudTrail-shaped GUID, unique in a test run. */
export function eventId(): string {
  seq++;
  const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
  return `${hex(0x5b3e9a10 + seq, 8)}-7c2d-4e8f-9a1b-${hex(0x2c3d4e5f6a7b + seq, 12)}`;
}

export interface RecordInput {
  name: string;
  source: string;
  account: string;
  region: string;
  time: Date;
  who: Json;
  agent?: string;
  request?: Json | null;
  response?: Json | null;
  /** The record's resources element (ECR, KMS, Secrets Manager records carry one). */
  resources?: Array<{ ARN: string; accountId: string; type?: string }>;
  readOnly?: boolean;
  eventType?: 'AwsApiCall' | 'AwsServiceEvent';
  serviceEventDetails?: Json;
  errorCode?: string;
  id?: string;
}

/** A whole record, as CloudTrail writes it (eventVersion 1.10). */
export function record(r: RecordInput): Json {
  const internal = r.eventType === 'AwsServiceEvent';
  return {
    eventVersion: internal ? '1.05' : '1.10',
    userIdentity: r.who,
    eventTime: r.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: r.source,
    eventName: r.name,
    awsRegion: r.region,
    sourceIPAddress: internal ? 'AWS Internal' : '198.51.100.27',
    userAgent: r.agent ?? (internal ? agents.internal : agents.cli),
    ...(r.errorCode
      ? { errorCode: r.errorCode, errorMessage: 'You are not authorized to perform this operation.' }
      : {}),
    requestParameters: r.request ?? null,
    responseElements: r.response ?? null,
    ...(internal ? {} : { requestID: '4b3a1c2d-8e7f-4a6b-9c0d-1e2f3a4b5c6d' }),
    eventID: r.id ?? eventId(),
    readOnly: r.readOnly ?? false,
    ...(r.resources ? { resources: r.resources } : {}),
    eventType: r.eventType ?? 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: r.account,
    ...(r.serviceEventDetails ? { serviceEventDetails: r.serviceEventDetails } : {}),
    eventCategory: 'Management',
    ...(internal
      ? {}
      : {
          tlsDetails: {
            tlsVersion: 'TLSv1.3',
            cipherSuite: 'TLS_AES_128_GCM_SHA256',
            clientProvidedHostHeader: `${r.source.replace('.amazonaws.com', '')}.${r.region}.amazonaws.com`,
          },
        }),
  };
}

type At = { account: string; region: string; time: Date; who: Json; agent?: string };
const ec2 = (
  a: At,
  name: string,
  request: Json,
  response: Json = { requestId: '4b3a1c2d-8e7f-4a6b-9c0d-1e2f3a4b5c6d', _return: true },
) => record({ ...a, name, source: 'ec2.amazonaws.com', request, response });

/** One record per event name the timeline has words for. */
export const events = {
  createRoute: (
    a: At,
    table: string,
    destination: string,
    target: { natGatewayId?: string; gatewayId?: string },
  ) => ec2(a, 'CreateRoute', { routeTableId: table, destinationCidrBlock: destination, ...target }),
  deleteRoute: (a: At, table: string, destination: string) =>
    ec2(a, 'DeleteRoute', { routeTableId: table, destinationCidrBlock: destination }),
  replaceRoute: (
    a: At,
    table: string,
    destination: string,
    target: { natGatewayId?: string; gatewayId?: string },
  ) => ec2(a, 'ReplaceRoute', { routeTableId: table, destinationCidrBlock: destination, ...target }),
  revokeEgress: (
    a: At,
    group: string,
    perms: Array<{ protocol: string; from?: number; to?: number; cidr: string }>,
  ) =>
    ec2(a, 'RevokeSecurityGroupEgress', {
      groupId: group,
      ipPermissions: {
        items: perms.map((p) => ({
          ipProtocol: p.protocol,
          ...(p.from !== undefined ? { fromPort: p.from, toPort: p.to ?? p.from } : {}),
          groups: {},
          ipRanges: { items: [{ cidrIp: p.cidr }] },
          ipv6Ranges: {},
          prefixListIds: {},
        })),
      },
    }),
  authorizeEgress: (
    a: At,
    group: string,
    perms: Array<{ protocol: string; from?: number; to?: number; cidr: string }>,
  ) =>
    ec2(a, 'AuthorizeSecurityGroupEgress', {
      groupId: group,
      ipPermissions: {
        items: perms.map((p) => ({
          ipProtocol: p.protocol,
          ...(p.from !== undefined ? { fromPort: p.from, toPort: p.to ?? p.from } : {}),
          groups: {},
          ipRanges: { items: [{ cidrIp: p.cidr }] },
          ipv6Ranges: {},
          prefixListIds: {},
        })),
      },
    }),
  deleteNatGateway: (a: At, nat: string) =>
    ec2(
      a,
      'DeleteNatGateway',
      { DeleteNatGatewayRequest: { NatGatewayId: nat } },
      {
        DeleteNatGatewayResponse: {
          xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
          requestId: '4b3a1c2d-8e7f-4a6b-9c0d-1e2f3a4b5c6d',
          natGatewayId: nat,
        },
      },
    ),
  deleteVpcEndpoints: (a: At, ids: string[]) =>
    ec2(
      a,
      'DeleteVpcEndpoints',
      {
        DeleteVpcEndpointsRequest: {
          VpcEndpointId:
            ids.length === 1
              ? { tag: 1, content: ids[0] }
              : ids.map((content, i) => ({ tag: i + 1, content })),
        },
      },
      {
        DeleteVpcEndpointsResponse: {
          unsuccessful: '',
          xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
          requestId: '4b3a1c2d-8e7f-4a6b-9c0d-1e2f3a4b5c6d',
        },
      },
    ),
  modifyVpcEndpoint: (a: At, id: string, change: Json) =>
    ec2(
      a,
      'ModifyVpcEndpoint',
      { ModifyVpcEndpointRequest: { VpcEndpointId: id, ...change } },
      {
        ModifyVpcEndpointResponse: {
          return: true,
          xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
          requestId: '4b3a1c2d-8e7f-4a6b-9c0d-1e2f3a4b5c6d',
        },
      },
    ),
  modifyVpcAttribute: (
    a: At,
    vpc: string,
    attribute: 'enableDnsSupport' | 'enableDnsHostnames',
    value: boolean,
  ) => ec2(a, 'ModifyVpcAttribute', { vpcId: vpc, [attribute]: { value } }),
  associateDhcpOptions: (a: At, vpc: string, options: string) =>
    ec2(a, 'AssociateDhcpOptions', { dhcpOptionsId: options, vpcId: vpc }),
  replaceNetworkAclEntry: (
    a: At,
    acl: string,
    rule: number,
    e: {
      egress: boolean;
      action: 'allow' | 'deny';
      protocol: string;
      from?: number;
      to?: number;
      cidr: string;
    },
  ) =>
    ec2(a, 'ReplaceNetworkAclEntry', {
      networkAclId: acl,
      ruleNumber: rule,
      egress: e.egress,
      ruleAction: e.action,
      icmpTypeCode: {},
      portRange: e.from !== undefined ? { from: e.from, to: e.to ?? e.from } : {},
      aclProtocol: e.protocol,
      cidrBlock: e.cidr,
    }),
  iam: (a: At, name: string, request: Json) =>
    record({ ...a, name, source: 'iam.amazonaws.com', region: 'us-east-1', request, response: null }),
  detachRolePolicy: (a: At, role: string, policyArn: string) =>
    events.iam(a, 'DetachRolePolicy', { roleName: role, policyArn }),
  attachRolePolicy: (a: At, role: string, policyArn: string) =>
    events.iam(a, 'AttachRolePolicy', { roleName: role, policyArn }),
  deleteRolePolicy: (a: At, role: string, policyName: string) =>
    events.iam(a, 'DeleteRolePolicy', { roleName: role, policyName }),
  putRolePolicy: (a: At, role: string, policyName: string) =>
    events.iam(a, 'PutRolePolicy', {
      roleName: role,
      policyName,
      policyDocument:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Resource":"*"}]}',
    }),
  ecr: (a: At, name: string, repository: string, request: Json, response: Json | null = null) =>
    record({
      ...a,
      name,
      source: 'ecr.amazonaws.com',
      request,
      response,
      resources: [
        { ARN: `arn:aws:ecr:${a.region}:${a.account}:repository/${repository}`, accountId: a.account },
      ],
    }),
  putLifecyclePolicy: (a: At, repository: string, policy: string) =>
    events.ecr(
      a,
      'PutLifecyclePolicy',
      repository,
      {
        repositoryName: repository,
        lifecyclePolicyText: policy,
      },
      { registryId: a.account, repositoryName: repository, lifecyclePolicyText: policy },
    ),
  setRepositoryPolicy: (a: At, repository: string) =>
    events.ecr(a, 'SetRepositoryPolicy', repository, {
      repositoryName: repository,
      policyText:
        '{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}',
      force: false,
    }),
  deleteRepositoryPolicy: (a: At, repository: string) =>
    events.ecr(a, 'DeleteRepositoryPolicy', repository, { repositoryName: repository }),
  deleteRepository: (a: At, repository: string) =>
    events.ecr(a, 'DeleteRepository', repository, { repositoryName: repository, force: true }),
  batchDeleteImage: (a: At, repository: string, tags: string[]) =>
    events.ecr(a, 'BatchDeleteImage', repository, {
      repositoryName: repository,
      imageIds: tags.map((imageTag) => ({ imageTag })),
    }),
  /** ECR expiring images by a lifecycle rule: a read-only AWS service event (the ECR User Guide's example). */
  lifecycleExpiry: (
    a: Omit<At, 'who'>,
    repository: string,
    rule: { priority: number; description: string; countNumber: number; prefixes: string[] },
    images: Array<{ tag: string; digest: string; pushedAt: Date }>,
  ) =>
    record({
      ...a,
      who: identity.internal(a.account),
      name: 'PolicyExecutionEvent',
      source: 'ecr.amazonaws.com',
      eventType: 'AwsServiceEvent',
      readOnly: true,
      resources: [
        {
          ARN: `arn:aws:ecr:${a.region}:${a.account}:repository/${repository}`,
          accountId: a.account,
          type: 'AWS::ECR::Repository',
        },
      ],
      serviceEventDetails: {
        repositoryName: repository,
        lifecycleEventPolicy: {
          lifecycleEventRules: [
            {
              rulePriority: rule.priority,
              description: rule.description,
              lifecycleEventSelection: {
                tagStatus: 'Tagged',
                tagPrefixList: rule.prefixes,
                countType: 'Image count more than',
                countNumber: rule.countNumber,
              },
              action: 'expire',
            },
          ],
          lastEvaluatedAt: 0,
          policyVersion: 1,
          policyId: 'ceb86829-58e7-9498-920c-aa042e33037b',
        },
        lifecycleEventImageActions: images.map((i) => ({
          lifecycleEventImage: {
            digest: i.digest,
            tagStatus: 'Tagged',
            tagList: [i.tag],
            pushedAt: i.pushedAt.getTime(),
          },
          rulePriority: rule.priority,
        })),
      },
    }),
  kms: (a: At, name: string, keyArn: string, request: Json, response: Json | null = null) =>
    record({
      ...a,
      name,
      source: 'kms.amazonaws.com',
      request,
      response,
      resources: [{ accountId: a.account, type: 'AWS::KMS::Key', ARN: keyArn }],
    }),
  scheduleKeyDeletion: (a: At, keyArn: string, days: number) =>
    events.kms(
      a,
      'ScheduleKeyDeletion',
      keyArn,
      { keyId: keyArn.split('/').pop()!, pendingWindowInDays: days },
      {
        keyId: keyArn,
        deletionDate: 'Dec 6, 2026, 12:00:00 AM',
        keyState: 'PendingDeletion',
        pendingWindowInDays: days,
      },
    ),
  disableKey: (a: At, keyArn: string) =>
    events.kms(a, 'DisableKey', keyArn, { keyId: keyArn.split('/').pop()! }),
  secrets: (a: At, name: string, secretArn: string, request: Json, response: Json | null = null) =>
    record({
      ...a,
      name,
      source: 'secretsmanager.amazonaws.com',
      request,
      response,
      resources: [{ ARN: secretArn, accountId: a.account, type: 'AWS::SecretsManager::Secret' }],
    }),
  deleteSecret: (a: At, secretArn: string, days: number) =>
    events.secrets(
      a,
      'DeleteSecret',
      secretArn,
      { secretId: secretArn, recoveryWindowInDays: days },
      {
        aRN: secretArn,
        name: secretArn.split(':')[6]!.replace(/-[A-Za-z0-9]{6}$/, ''),
        deletionDate: 'Dec 6, 2026, 4:05:41 AM',
      },
    ),
  putSecretValue: (a: At, secretArn: string) =>
    events.secrets(
      a,
      'PutSecretValue',
      secretArn,
      { secretId: secretArn, clientRequestToken: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d' },
      {
        arn: secretArn,
        versionId: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
        versionStages: ['AWSCURRENT'],
      },
    ),
  registerTaskDefinition: (a: At, family: string, revision: number, image: string) =>
    record({
      ...a,
      name: 'RegisterTaskDefinition',
      source: 'ecs.amazonaws.com',
      request: {
        family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image, essential: true }],
      },
      response: {
        taskDefinition: {
          taskDefinitionArn: `arn:aws:ecs:${a.region}:${a.account}:task-definition/${family}:${revision}`,
          family,
          revision,
          status: 'ACTIVE',
        },
      },
    }),
  updateService: (a: At, cluster: string, service: string, taskDefinition: string) =>
    record({
      ...a,
      name: 'UpdateService',
      source: 'ecs.amazonaws.com',
      request: { cluster, service, taskDefinition, forceNewDeployment: false },
      response: { service: { serviceName: service, taskDefinition, status: 'ACTIVE' } },
    }),
};

/** LookupEvents' Event for a record: the record as a JSON string, its time in epoch seconds, ReadOnly a string. */
export function lookupEvent(rec: Json, resources: Array<{ type: string; name: string }>): Json {
  const who = rec.userIdentity as Json;
  const arn = typeof who.arn === 'string' ? who.arn : '';
  const username =
    (typeof who.userName === 'string' && who.userName) ||
    (/:assumed-role\/[^/]+\/(.+)$/.exec(arn)?.[1] ?? undefined);
  return {
    EventId: rec.eventID,
    EventName: rec.eventName,
    ReadOnly: String(rec.readOnly ?? false),
    ...(typeof who.accessKeyId === 'string' ? { AccessKeyId: who.accessKeyId } : {}),
    EventTime: Date.parse(String(rec.eventTime)) / 1000,
    EventSource: rec.eventSource,
    ...(username ? { Username: username } : {}),
    Resources: resources.map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
    CloudTrailEvent: JSON.stringify(rec),
  };
}
