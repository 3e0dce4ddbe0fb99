import { describe, expect, it } from 'vitest';
import { repositoryPolicyCheck } from '../../../../src/diagnosis/checks/image/repository-policy.js';
import { english, loadFacts, runCheck, value } from '../../../helpers/checks.js';

const healthy = () => loadFacts('identity/healthy.json');

describe('image.repository-policy: a cross-account repository lets the task pull', () => {
  function cross(policy: string | null) {
    const s = healthy();
    const img = value(s, 'ecr.images')[0]!;
    Object.assign(img, { registryAccount: '111122223333', repositoryPolicy: policy });
    return s;
  }
  it('does not apply within one account', async () => {
    expect((await runCheck(repositoryPolicyCheck, healthy())).status).toBe('skip');
  });
  it('fails without a repository policy', async () => {
    const r = await runCheck(repositoryPolicyCheck, cross(null));
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('111122223333');
  });
  it('passes a policy that allows the task account', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'pull',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::210987654321:root' },
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        },
      ],
    });
    expect((await runCheck(repositoryPolicyCheck, cross(policy))).status).toBe('pass');
  });
  it('warns (does not fail) a policy that grants an organization, naming it', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
        },
      ],
    });
    const r = await runCheck(repositoryPolicyCheck, cross(policy));
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('o-a1b2c3d4e5');
  });
  it('passes a policy that names the account through aws:PrincipalAccount', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 'ecr:*',
          Condition: { StringEquals: { 'aws:PrincipalAccount': ['210987654321'] } },
        },
      ],
    });
    expect((await runCheck(repositoryPolicyCheck, cross(policy))).status).toBe('pass');
  });
  it('fails a policy that allows another account only', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'ecr:*' }],
    });
    const r = await runCheck(repositoryPolicyCheck, cross(policy));
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('ecr:BatchCheckLayerAvailability');
  });
});
