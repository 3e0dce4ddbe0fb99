/**
 * Fix commands (issue 18 §2): every command generated for every demo scenario and for a set of unit contexts is
 * checked against the AWS CLI's own service models (botocore's JSON models: operation, options and their
 * shapes, required options), survives a real POSIX shell word for word, and edits task definitions into input
 * RegisterTaskDefinition takes. The validator itself is shown to find what is wrong. Figures are printed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { replayScenario, scenarioNames } from '../../src/cli/demo.js';
import { requiredEndpointsCheck } from '../../src/diagnosis/checks/endpoints/required.js';
import { allChecks } from '../../src/diagnosis/checks/index.js';
import { freeRuleNumber } from '../../src/diagnosis/checks/network/nacl.js';
import { natGatewayCheck } from '../../src/diagnosis/checks/network/nat-gateway.js';
import { publicIpCheck } from '../../src/diagnosis/checks/network/public-ip.js';
import { routeCheck } from '../../src/diagnosis/checks/network/route.js';
import { DESCRIBED_ONLY } from '../../src/diagnosis/checks/shared/commands.js';
import type { CheckResult } from '../../src/diagnosis/checks/types.js';
import {
  aws,
  awsInvocations,
  type FixCommand,
  type Invocation,
  shellLine,
  shellWord,
  shorthand,
  structures,
  type Word,
} from '../../src/diagnosis/commands.js';
import type { Report } from '../../src/diagnosis/report.js';
import {
  modelsOrSkip,
  parseShorthand,
  policyProblems,
  serviceModel,
  validateCliInput,
  validateInvocation,
  xformName,
} from '../helpers/aws-cli-models.js';
import { loadFacts, runCheck, setFact, value } from '../helpers/checks.js';
import { findMotoPython } from '../helpers/moto-server.js';
import { shellArgs } from '../helpers/shell-words.js';

const models = modelsOrSkip();
const dir = join(import.meta.dirname, '..', '..', 'demo', 'scenarios');
const names = scenarioNames(dir);
const reports = new Map<string, Report>();

beforeAll(async () => {
  for (const name of names) reports.set(name, await replayScenario(name, dir));
});

/** Test values for the variables commands read (set by an earlier command or by the reader). */
const VARS: Record<string, string> = {
  NAT_GATEWAY_ID: 'nat-0fill000000000001',
  INTERNET_GATEWAY_ID: 'igw-0fill000000000001',
  ENDPOINT_SG: 'sg-0fill000000000001',
  DHCP_OPTIONS_ID: 'dopt-0fill00000000001',
  MANIFEST: '{"schemaVersion":2}',
  CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:eu-south-1:123456789012:secret:creds-AbCdEf',
  REGISTRY_CREDENTIALS: '{"username":"u","password":"p"}',
  SECRET_VALUE: "it's a $ecret `x`",
  PARAMETER_VALUE: 'value',
  TASK_ROLE_ARN: 'arn:aws:iam::123456789012:role/task',
};

const words = (i: Invocation): string[] =>
  [i.program, ...i.args].map((w: Word) => (typeof w === 'string' ? w : VARS[w.var]!));

function commandsOf(results: readonly CheckResult[]): FixCommand[] {
  return results.flatMap((r) => r.commands ?? []);
}

/** Everything wrong with a list of commands: the models' verdict on each aws call, and its policy documents. */
function problems(commands: readonly FixCommand[]): string[] {
  return awsInvocations(commands).flatMap((i) => [...validateInvocation(i), ...policyProblems(i)]);
}

describe.skipIf(!models)('fix commands against the AWS CLI service models (botocore)', () => {
  it('the validator finds what is wrong: operation, option, shape, enum, shorthand, required', () => {
    const ok = aws(
      'ec2',
      'create-route',
      { 'route-table-id': 'rtb-1', 'destination-cidr-block': '0.0.0.0/0', 'nat-gateway-id': 'nat-1' },
      'eu-south-1',
    );
    expect(validateInvocation(ok)).toEqual([]);
    const bad = (service: string, op: string, params: Record<string, string | string[] | boolean>) =>
      validateInvocation(aws(service, op, params, 'eu-south-1')).join('\n');
    expect(bad('ec2', 'create-routes', {})).toMatch(/no such operation/);
    expect(bad('ec2', 'create-route', { 'route-table-id': 'rtb-1', 'nat-gateway': 'nat-1' })).toMatch(
      /unknown option --nat-gateway/,
    );
    expect(bad('ec2', 'create-route', { 'destination-cidr-block': '0.0.0.0/0' })).toMatch(
      /required RouteTableId/,
    );
    expect(
      bad('ec2', 'create-vpc-endpoint', {
        'vpc-id': 'v',
        'service-name': 's',
        'vpc-endpoint-type': 'Interfaces',
      }),
    ).toMatch(/not one of/);
    expect(
      bad('ec2', 'create-vpc-endpoint', { 'vpc-id': 'v', 'service-name': 's', 'private-dns-enabled': 'yes' }),
    ).toMatch(/is a switch/);
    expect(
      bad('ec2', 'authorize-security-group-egress', {
        'group-id': 'sg-1',
        'ip-permissions': 'IpProtocol=tcp,FromPort=443,Cidr=[0.0.0.0/0]',
      }),
    ).toMatch(/Cidr is not a member/);
    expect(
      bad('ec2', 'authorize-security-group-egress', {
        'group-id': 'sg-1',
        'ip-permissions': 'IpProtocol=tcp,FromPort=https',
      }),
    ).toMatch(/not an integer/);
    expect(
      bad('ec2', 'create-network-acl-entry', {
        'network-acl-id': 'acl-1',
        'rule-number': '100',
        protocol: '6',
        'rule-action': 'allow',
        'no-egress': true,
      }),
    ).toMatch(/unknown option --no-egress/);
    expect(
      bad('ecs', 'update-service', {
        service: 's',
        'network-configuration': 'awsvpcConfiguration={subnet=[a]}',
      }),
    ).toMatch(/subnet is not a member/);
    expect(
      bad('ecs', 'update-service', {
        service: 's',
        'network-configuration': 'awsvpcConfiguration={assignPublicIp=ENABLED}',
      }),
    ).toMatch(/required subnets missing/);
    expect(
      policyProblems(
        aws(
          'iam',
          'put-role-policy',
          { 'role-name': 'r', 'policy-name': 'p', 'policy-document': '{"Statement":[]}' },
          'eu-south-1',
        ),
      ),
    ).not.toEqual([]);
  });

  it('xformName is botocore’s xform_name for every operation and input member of the services used', () => {
    const python = findMotoPython();
    if (!python) {
      if (process.env.ECS_PULL_REQUIRE_MOTO === '1') throw new Error('no python with botocore');
      return;
    }
    const services = ['ec2', 'ecs', 'ecr', 'iam', 'kms', 'logs', 'secretsmanager', 'ssm', 'efs'];
    const script = `
import json, sys, botocore.session
s = botocore.session.get_session()
out = {}
for name in sys.argv[1:]:
    m = s.get_service_model(name)
    for op in m.operation_names:
        o = m.operation_model(op)
        out[op] = botocore.xform_name(op, '-')
        if o.input_shape:
            for member in o.input_shape.members:
                out[member] = botocore.xform_name(member, '-')
print(json.dumps(out))`;
    const expected = JSON.parse(
      execFileSync(python, ['-c', script, ...services], { encoding: 'utf8', maxBuffer: 64 << 20 }),
    ) as Record<string, string>;
    const wrong = Object.entries(expected).filter(([name, cli]) => xformName(name) !== cli);
    expect(Object.keys(expected).length).toBeGreaterThan(1000);
    expect(wrong).toEqual([]);
  });

  it('shorthand: what is written is what the CLI’s syntax reads back', () => {
    const v = { IpProtocol: 'tcp', FromPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }], Nested: { A: 'b' } };
    expect(shorthand(v)).toBe('IpProtocol=tcp,FromPort=443,IpRanges=[{CidrIp=0.0.0.0/0}],Nested={A=b}');
    expect(parseShorthand(shorthand(v))).toEqual({
      IpProtocol: 'tcp',
      FromPort: '443',
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      Nested: { A: 'b' },
    });
    expect(parseShorthand('Key=domain-name-servers,Values=AmazonProvidedDNS,10.0.0.2')).toEqual({
      Key: 'domain-name-servers',
      Values: ['AmazonProvidedDNS', '10.0.0.2'],
    });
    // A value the syntax cannot carry as it is goes as JSON (a domain list with a space).
    expect(structures([{ Key: 'domain-name', Values: ['a.example b.example'] }])).toEqual([
      '[{"Key":"domain-name","Values":["a.example b.example"]}]',
    ]);
  });

  it('every demo scenario’s commands are valid AWS CLI calls (figures printed)', () => {
    const rows: string[] = [];
    let total = 0;
    for (const name of names) {
      const report = reports.get(name)!;
      const commands = commandsOf(report.checks);
      expect(problems(commands), name).toEqual([]);
      const withCommands = report.checks.filter((c) => c.commands?.length).length;
      const problemsCount = report.checks.filter((c) => c.status === 'fail' || c.status === 'warn').length;
      total += commands.length;
      rows.push(
        `${name.padEnd(26)} ${String(commands.length).padStart(3)} commands (${awsInvocations(commands).length} aws calls) from ${withCommands}/${problemsCount} failing or warning checks`,
      );
    }
    console.log(`fix commands per demo scenario:\n${rows.join('\n')}\ntotal ${total}`);
    expect(total).toBeGreaterThan(20);
  });

  it('a scenario’s commands name the real ids of its facts', () => {
    const route = reports.get('network-no-route')!.checks.find((c) => c.id === 'network.route')!;
    const [line] = route.commands!.map(shellLine);
    const saved = JSON.parse(readFileSync(join(dir, 'network-no-route.json'), 'utf8'));
    const nat = saved.facts['ec2.natGateways'].value.find((n: { state: string }) => n.state === 'available');
    expect(line).toBe(
      `aws ec2 create-route --route-table-id ${route.remediation!.params!.routeTableId} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id ${nat.natGatewayId} --region eu-south-1`,
    );
    const ip = reports.get('network-no-public-ip')!.checks.find((c) => c.id === 'network.public-ip')!;
    expect(shellLine(ip.commands![0]!)).toContain(
      "--network-configuration 'awsvpcConfiguration={subnets=[subnet-10244311a39d628e6],securityGroups=[sg-ec0ec1288981b2ded],assignPublicIp=ENABLED}'",
    );
    const role = reports.get('execution-role')!.checks.find((c) => c.id === 'iam.execution-role')!;
    expect(shellLine(role.commands![0]!)).toContain(
      '--policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
    );
  });

  it('every check declares its commands, and only failures and warnings carry any', () => {
    for (const check of allChecks) expect(typeof check.commands, check.id).toBe('function');
    for (const report of reports.values())
      for (const c of report.checks) if (c.commands) expect(['fail', 'warn']).toContain(c.status);
  });

  it('a shell reads every demo command word for word as it was built', () => {
    const commands = [...reports.values()].flatMap((r) => commandsOf(r.checks));
    // A variable a command sets is read from the test values (the stand-ins print nothing to keep).
    const got = shellArgs(
      commands.map((c) => shellLine({ ...c, assign: undefined })),
      VARS,
    );
    expect(got).toEqual(commands.flatMap((c) => c.pipeline.map(words)));
    for (const c of commands.filter((x) => x.assign))
      expect(shellLine(c)).toBe(`${c.assign}=$(${shellLine({ ...c, assign: undefined })})`);
  });

  it('quoting holds for any value AWS could return (property)', () => {
    const value = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), (values) => {
        const cmd: FixCommand = {
          pipeline: [
            aws(
              'ec2',
              'create-route',
              { 'route-table-id': values[0]!, description: values.slice(1) },
              'eu-south-1',
            ),
          ],
        };
        const [got] = shellArgs([shellLine(cmd)]);
        expect(got).toEqual(words(cmd.pipeline[0]!));
      }),
      { numRuns: 40 },
    );
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
    expect(shellWord('~root')).toBe(`'~root'`);
    expect(shellWord('#x')).toBe(`'#x'`);
    expect(shellWord('')).toBe(`''`);
    expect(() => shellLine({ pipeline: [], assign: 'A=$(x)' })).toThrow();
    expect(() => shellLine({ pipeline: [], output: '../etc/passwd' })).toThrow();
  });

  it('the task definition edit leaves only what RegisterTaskDefinition takes', () => {
    const ecs = serviceModel('ecs');
    const described = Object.keys(ecs.shapes.TaskDefinition!.members!);
    const accepted = Object.keys(ecs.shapes.RegisterTaskDefinitionRequest!.members!);
    expect(
      described.filter((k) => !accepted.includes(k) && !(DESCRIBED_ONLY as readonly string[]).includes(k)),
    ).toEqual([]);
    expect(DESCRIBED_ONLY.filter((k) => accepted.includes(k))).toEqual([]);
  });

  // CI installs jq (.ci/run) and sets ECS_PULL_REQUIRE_MOTO=1: there the test never skips.
  it.skipIf(
    !existsSync('/usr/bin/jq') &&
      !existsSync('/usr/local/bin/jq') &&
      process.env.ECS_PULL_REQUIRE_MOTO !== '1',
  )(
    'each jq edit of the demos turns a real DescribeTaskDefinition answer into valid RegisterTaskDefinition input',
    () => {
      const described = JSON.parse(
        readFileSync(
          join(import.meta.dirname, '..', 'fixtures', 'aws', 'ecs-describe-task-definition.json'),
          'utf8',
        ),
      ).taskDefinition;
      const edits = [...reports.values()]
        .flatMap((r) => commandsOf(r.checks))
        .flatMap((c) => c.pipeline.filter((i) => i.program === 'jq'));
      expect(edits.length).toBeGreaterThan(3);
      for (const jq of edits) {
        const out = JSON.parse(
          execFileSync('jq', words(jq).slice(1), { input: JSON.stringify(described), encoding: 'utf8' }),
        );
        expect(validateCliInput('ecs', 'register-task-definition', out), words(jq).join(' ')).toEqual([]);
      }
    },
  );
});

describe.skipIf(!models)('fix commands in unit contexts', () => {
  const nat = () => loadFacts('network/nat-path.json');

  it('a route to no NAT gateway the VPC has asks for one to be filled in', async () => {
    const s = nat();
    value(s, 'ec2.routeTables')[1]!.routes.pop();
    value(s, 'ec2.natGateways')[0]!.state = 'deleted';
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('fail');
    expect(r.commands![0]!.fill![0]!.name).toBe('NAT_GATEWAY_ID');
    expect(shellLine(r.commands![0]!)).toContain('--nat-gateway-id "$NAT_GATEWAY_ID"');
    expect(problems(r.commands!)).toEqual([]);
  });

  it('a broken NAT gateway is replaced by a working one of the VPC', async () => {
    const s = nat();
    const gws = value(s, 'ec2.natGateways');
    gws[0]!.state = 'failed';
    gws.push({ ...gws[0]!, natGatewayId: 'nat-0aaaabbbbccccdddd', state: 'available' });
    const r = await runCheck(natGatewayCheck, s);
    expect(r.status).toBe('fail');
    expect(shellLine(r.commands![0]!)).toBe(
      'aws ec2 replace-route --route-table-id rtb-0private000000001 --destination-cidr-block 0.0.0.0/0 --nat-gateway-id nat-0aaaabbbbccccdddd --region eu-south-1',
    );
  });

  it('a task outside a service is started again with a public IP (run-task)', async () => {
    const s = nat();
    const tables = value(s, 'ec2.routeTables');
    tables[1]!.subnetIds = [];
    tables[2]!.subnetIds.push('subnet-0a1b2c3d4e5f67890');
    delete s.facts['ecs.service'];
    const task = value(s, 'ecs.task').task as unknown as Record<string, unknown>;
    task.group = 'family:checkout';
    delete task.startedBy;
    setFact(s, 'ec2.taskEni', {
      networkInterfaceId: 'eni-1',
      subnetId: 'subnet-0a1b2c3d4e5f67890',
      groups: [{ groupId: 'sg-0c1d2e3f4a5b6c7d8' }],
    });
    const r = await runCheck(publicIpCheck, s);
    expect(r.status).toBe('fail');
    const line = shellLine(r.commands![0]!);
    expect(line).toMatch(
      /^aws ecs run-task --cluster payments --task-definition checkout:42 --launch-type FARGATE/,
    );
    expect(line).toContain('assignPublicIp=ENABLED');
    expect(r.commands![0]!.note?.key).toBe('fix:note.new-task');
    expect(problems(r.commands!)).toEqual([]);
  });

  it('in China, endpoint service names and ARNs take the partition’s forms', async () => {
    const s = nat();
    s.target = { ...s.target, partition: 'aws-cn', region: 'cn-north-1' };
    const raw = JSON.stringify(s.facts)
      .replaceAll('arn:aws:', 'arn:aws-cn:')
      .replaceAll('eu-south-1', 'cn-north-1')
      .replaceAll('amazonaws.com', 'amazonaws.com.cn');
    s.facts = JSON.parse(raw);
    value(s, 'ec2.routeTables')[1]!.routes.pop();
    value(s, 'ec2.natGateways').length = 0;
    const r = await runCheck(requiredEndpointsCheck, s);
    expect(r.status).toBe('fail');
    const lines = r.commands!.map(shellLine).join('\n');
    expect(lines).toContain('--service-name cn.com.amazonaws.cn-north-1.ecr.dkr');
    expect(lines).toContain('--region cn-north-1');
    expect(problems(r.commands!)).toEqual([]);
  });

  it('a network ACL rule goes before the rule that denies, on a free number', () => {
    expect(freeRuleNumber([100, 200, 32767], 32767)).toBe(300);
    expect(freeRuleNumber([90, 100], 100)).toBe(80);
    expect(freeRuleNumber([1, 2], 3)).toBeUndefined();
    expect(freeRuleNumber([32700], 32767)).toBe(32760);
  });
});
