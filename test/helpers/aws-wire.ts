/**
 * nock interceptors that answer the AWS SDK in AWS's real wire formats: ECS, ECR, CloudWatch Logs, Secrets Manager,
 * SSM, KMS and CloudTrail speak JSON 1.1 (POST /, X-Amz-Target), EFS REST-JSON (GET /2015-02-01/…, errors named by the
 * x-amzn-ErrorType header), EC2 the EC2 query protocol with XML replies, IAM and STS the query protocol with XML
 * replies.
 * Fixture files live in test/fixtures/aws/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';

export const fixturesDir = join(import.meta.dirname, '..', 'fixtures');

/** A fixture file's text, with {{NAME}} placeholders filled in. */
export function fixture(path: string, vars: Record<string, string> = {}): string {
  let text = readFileSync(join(fixturesDir, path), 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{{${k}}}`, v);
  return text;
}

function formParam(body: unknown, name: string): string | null {
  if (typeof body === 'string') return new URLSearchParams(body).get(name);
  if (body && typeof body === 'object') return String((body as Record<string, unknown>)[name] ?? '') || null;
  return null;
}

const jsonTargets: Record<string, string> = {
  ecs: 'AmazonEC2ContainerServiceV20141113',
  ecr: 'AmazonEC2ContainerRegistry_V20150921',
  secretsmanager: 'secretsmanager',
  kms: 'TrentService',
  ssm: 'AmazonSSM',
  logs: 'Logs_20140328',
  cloudtrail: 'CloudTrail_20131101',
};
const jsonHosts: Record<string, (region: string) => string> = {
  ecs: (r) => `https://ecs.${r}.amazonaws.com`,
  ecr: (r) => `https://api.ecr.${r}.amazonaws.com`,
  secretsmanager: (r) => `https://secretsmanager.${r}.amazonaws.com`,
  kms: (r) => `https://kms.${r}.amazonaws.com`,
  ssm: (r) => `https://ssm.${r}.amazonaws.com`,
  logs: (r) => `https://logs.${r}.amazonaws.com`,
  cloudtrail: (r) => `https://cloudtrail.${r}.amazonaws.com`,
};

/** Intercepts one JSON 1.1 call (ecs, ecr) and answers with the given status and JSON body. */
export function jsonCall(
  service: 'ecs' | 'ecr' | 'secretsmanager' | 'kms' | 'ssm' | 'logs' | 'cloudtrail',
  region: string,
  action: string,
  status: number,
  body: unknown,
  match?: (requestBody: Record<string, unknown>) => boolean,
): nock.Scope {
  return (
    nock(jsonHosts[service]!(region))
      // nock 15 tries the body before the x-amz-target header: a matcher written for one action's request may see
      // another action's body, so a throw there is no match.
      .post('/', (b: Record<string, unknown>) => {
        try {
          return match ? match(b) : true;
        } catch {
          return false;
        }
      })
      .matchHeader('x-amz-target', `${jsonTargets[service]}.${action}`)
      .reply(status, typeof body === 'string' ? body : JSON.stringify(body), {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': 'b3c4a2f0-0d3e-4a55-9f0a-6f2f3e1d2c1b',
      })
  );
}

/** A JSON 1.1 error body as ECS/ECR send it. */
export function jsonError(type: string, message: string): Record<string, string> {
  return { __type: type, message };
}

/** Intercepts one query-protocol call (ec2, iam, sts) by Action and answers with XML. */
export function queryCall(
  service: 'ec2' | 'iam' | 'sts',
  region: string,
  action: string,
  status: number,
  xml: string,
  match?: (params: URLSearchParams) => boolean,
  opts: { delayMs?: number } = {},
): nock.Scope {
  const host = service === 'iam' ? 'https://iam.amazonaws.com' : `https://${service}.${region}.amazonaws.com`;
  return nock(host)
    .post('/', (b: unknown) => {
      if (formParam(b, 'Action') !== action) return false;
      return match
        ? match(new URLSearchParams(typeof b === 'string' ? b : (b as Record<string, string>)))
        : true;
    })
    .delay(opts.delayMs ?? 0)
    .reply(status, xml, {
      'content-type': 'text/xml;charset=UTF-8',
      'x-amzn-requestid': 'c6104cbe-af31-11e0-8154',
    });
}

/** EC2's error envelope. */
export function ec2Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>5b7a1f2e-1c4d-4e8f-9a0b-1c2d3e4f5a6b</RequestID></Response>`;
}

/** IAM/STS error envelope. */
export function queryError(service: 'iam' | 'sts', code: string, message: string, type = 'Sender'): string {
  const ns =
    service === 'iam'
      ? 'https://iam.amazonaws.com/doc/2010-05-08/'
      : 'https://sts.amazonaws.com/doc/2011-06-15/';
  return `<ErrorResponse xmlns="${ns}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${code}</Code>\n    <Message>${message}</Message>\n  </Error>\n  <RequestId>4e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b</RequestId>\n</ErrorResponse>`;
}

/** An STS AssumeRole success for the role, expiring in an hour. */
export function assumeRoleXml(roleArn: string, sessionName: string): string {
  const account = roleArn.split(':')[4]!;
  const role = roleArn.split('/').pop()!;
  return fixture('aws/sts-assume-role.xml', {
    ACCOUNT: account,
    ROLE: role,
    SESSION: sessionName,
    EXPIRATION: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
  });
}

/**
 * Intercepts one EFS REST-JSON call: GET /2015-02-01/<path> with the given query, answered with JSON. An error is
 * named as EFS names it, by the x-amzn-ErrorType header (with EFS's namespace suffix) and ErrorCode in the body.
 */
export function efsCall(
  region: string,
  path: string,
  query: Record<string, string>,
  status: number,
  body: unknown,
): nock.Scope {
  const error = status >= 400 ? (body as { ErrorCode?: string }).ErrorCode : undefined;
  return nock(`https://elasticfilesystem.${region}.amazonaws.com`)
    .get(`/2015-02-01/${path}`)
    .query(query)
    .reply(status, JSON.stringify(body), {
      'content-type': 'application/json',
      'x-amzn-requestid': '8d3a2f1e-5b6c-4d7e-8f90-a1b2c3d4e5f6',
      ...(error
        ? { 'x-amzn-errortype': `${error}:http://internal.amazon.com/coral/com.amazonaws.magnolia/` }
        : {}),
    });
}

/** EFS's error body. */
export function efsError(code: string, message: string): { ErrorCode: string; Message: string } {
  return { ErrorCode: code, Message: message };
}
