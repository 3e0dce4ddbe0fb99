import { describe, expect, it } from 'vitest';
import { requiredEndpointsCheck } from '../../../../src/diagnosis/checks/endpoints/required.js';
import { english, evidenceText, loadFacts, runCheck, setFact, value } from '../../../helpers/checks.js';

const ep = () => loadFacts('network/endpoint-path.json');
const nat = () => loadFacts('network/nat-path.json');
const without = (s: ReturnType<typeof ep>, suffix: string) =>
  setFact(
    s,
    'ec2.vpcEndpoints',
    value(s, 'ec2.vpcEndpoints').filter((e) => !e.serviceName.endsWith(suffix)),
  );

describe('endpoints.required: the VPC has the endpoints the platform version needs (and logs/secrets ones without an internet path)', () => {
  it('passes the complete set on platform 1.4.0', async () => {
    const r = await runCheck(requiredEndpointsCheck, ep());
    expect(r.status).toBe('pass');
    expect(english(r.message)).toContain('ecr.dkr, ecr.api, s3, logs, secretsmanager');
  });

  it('names ecr.api and the S3 gateway when only ecr.dkr exists on 1.4.0', async () => {
    const s = ep();
    setFact(
      s,
      'ec2.vpcEndpoints',
      value(s, 'ec2.vpcEndpoints').filter((e) => e.serviceName.endsWith('ecr.dkr')),
    );
    const r = await runCheck(requiredEndpointsCheck, s);
    expect(r.status).toBe('fail');
    const text = english(r.message);
    expect(text).toContain('com.amazonaws.eu-south-1.ecr.api (Interface)');
    expect(text).toContain('com.amazonaws.eu-south-1.s3 (Gateway)');
    expect(text).toContain('com.amazonaws.eu-south-1.logs');
  });

  it('does not need ecr.api on platform 1.3.0', async () => {
    const s = ep();
    without(s, 'ecr.api');
    value(s, 'ecs.task').task.platformVersion = '1.3.0';
    const r = await runCheck(requiredEndpointsCheck, s);
    expect(r.status).toBe('pass');
    expect(english(r.message)).not.toContain('ecr.api');
  });

  it('needs ecr.api on Windows, whose platform versions start again at 1.0.0', async () => {
    const s = ep();
    without(s, 'ecr.api');
    Object.assign(value(s, 'ecs.task').task, {
      platformVersion: '1.0.0',
      platformFamily: 'WINDOWS_SERVER_2019_CORE',
    });
    const r = await runCheck(requiredEndpointsCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('com.amazonaws.eu-south-1.ecr.api (Interface)');
  });

  it('accepts an S3 interface endpoint with private DNS instead of the gateway', async () => {
    const s = ep();
    const eps = value(s, 'ec2.vpcEndpoints');
    const gw = eps.find((e) => e.type === 'Gateway')!;
    Object.assign(gw, { type: 'Interface', privateDnsEnabled: true, routeTableIds: [] });
    expect((await runCheck(requiredEndpointsCheck, s)).status).toBe('pass');
  });

  it('only notes missing endpoints when an internet path exists', async () => {
    const s = nat();
    setFact(
      s,
      'ec2.vpcEndpoints',
      value(ep(), 'ec2.vpcEndpoints').filter((e) => e.serviceName.endsWith('ecr.dkr')),
    );
    const r = await runCheck(requiredEndpointsCheck, s);
    expect(r.status).toBe('pass');
    expect(r.message.key).toBe('endpoints:required.pass.partial-internet');
  });

  it('does not apply on an internet path without ECR endpoints', async () => {
    expect((await runCheck(requiredEndpointsCheck, nat())).message.key).toBe(
      'endpoints:required.skip.internet',
    );
  });

  it('does not apply to an image outside ECR', async () => {
    const s = nat();
    value(s, 'ecs.task').task.containers![0]!.image = 'ghcr.io/acme/checkout:2';
    const r = await runCheck(requiredEndpointsCheck, s);
    expect(r.status).toBe('skip');
    expect(english(r.message)).toContain('ghcr.io/acme/checkout:2');
  });

  it('says only the internet path can serve an image outside ECR when there is none', async () => {
    const s = ep();
    value(s, 'ecs.task').task.containers![0]!.image = 'nginx:1.27';
    const r = await runCheck(requiredEndpointsCheck, s);
    expect(r.status).toBe('skip');
    expect(r.message.key).toBe('endpoints:required.skip.not-ecr-no-internet');
    expect(english(r.message)).toContain('only an internet path');
  });

  it('counts an endpoint that is not available as missing, and says why', async () => {
    const s = ep();
    value(s, 'ec2.vpcEndpoints').find((e) => e.serviceName.endsWith('ecr.api'))!.state = 'pendingAcceptance';
    const r = await runCheck(requiredEndpointsCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('com.amazonaws.eu-south-1.ecr.api (Interface)');
    expect(evidenceText(r)).toContain('vpce-0ecrapi00000000001 (Interface) exists but is pendingAcceptance');
  });

  it('needs no logs or secrets endpoint when the task uses neither', async () => {
    const s = ep();
    const def = value(s, 'ecs.taskDefinition').containerDefinitions![0]!;
    delete def.logConfiguration;
    delete def.secrets;
    without(s, 'logs');
    without(s, 'secretsmanager');
    const r = await runCheck(requiredEndpointsCheck, s);
    expect(r.status).toBe('pass');
    expect(english(r.message)).toContain('ecr.dkr, ecr.api, s3.');
  });

  it('is unknown when the task subnets are not known', async () => {
    const s = ep();
    value(s, 'ecs.task').task.attachments = [];
    s.facts['ecs.service'] = {
      ok: false,
      round: 2,
      error: { kind: 'not-applicable', code: 'NotApplicable', message: 'x' },
    };
    const r = await runCheck(requiredEndpointsCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.message.key).toBe('endpoints:required.unknown.no-subnets');
  });
});
