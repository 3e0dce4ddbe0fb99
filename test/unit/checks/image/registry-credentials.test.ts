import { describe, expect, it } from 'vitest';
import { registryCredentialsCheck } from '../../../../src/diagnosis/checks/image/registry-credentials.js';
import { english, loadFacts, runCheck, setFact, useImage, value } from '../../../helpers/checks.js';

const healthy = () => loadFacts('identity/healthy.json');

describe('image.registry-credentials: private registries need readable credentials', () => {
  it('does not apply to ECR images', async () => {
    expect((await runCheck(registryCredentialsCheck, healthy())).status).toBe('skip');
  });
  it('warns a private registry without repositoryCredentials, and the probe settles it', async () => {
    const s = healthy();
    const image = 'registry.acme.example:5000/team/checkout:2';
    useImage(s, image);
    expect((await runCheck(registryCredentialsCheck, s)).status).toBe('warn');
    const probe = {
      image,
      registry: 'registry.acme.example:5000',
      repository: 'team/checkout',
      reference: '2',
    };
    setFact(s, 'registry.probe', [{ ...probe, outcome: 'unauthorized', status: 401 }]);
    const refused = await runCheck(registryCredentialsCheck, s);
    expect(refused.status).toBe('fail');
    expect(refused.message.key).toBe('image:registry-credentials.fail.no-credentials');
    setFact(s, 'registry.probe', [{ ...probe, outcome: 'exists', status: 200 }]);
    expect((await runCheck(registryCredentialsCheck, s)).message.key).toBe(
      'image:registry-credentials.pass.anonymous',
    );
  });
  it('fails when the credentials secret is encrypted with a disabled key', async () => {
    const s = healthy();
    const secret = 'arn:aws:secretsmanager:eu-south-1:210987654321:secret:ghcr-creds-XyZ123';
    const key = 'arn:aws:kms:eu-south-1:210987654321:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d';
    useImage(s, 'ghcr.io/acme/checkout:2', { repositoryCredentials: { credentialsParameter: secret } });
    setFact(s, 'secrets.references', [
      {
        valueFrom: secret,
        store: 'secretsmanager',
        containers: ['checkout'],
        purpose: 'registry-credentials',
        arn: secret,
        lookup: secret,
        account: '210987654321',
        region: 'eu-south-1',
        exists: true,
        kmsKeyId: key,
        kmsKeyArn: key,
      },
    ]);
    setFact(s, 'kms.keys', [{ keyId: key, arn: key, state: 'PendingDeletion', manager: 'CUSTOMER' }]);
    const r = await runCheck(registryCredentialsCheck, s);
    expect(r.message.key).toBe('image:registry-credentials.fail.kms-state');
    expect(english(r.message)).toContain('PendingDeletion');
  });
  it('fails when the credentials secret does not exist', async () => {
    const s = healthy();
    const secret = 'arn:aws:secretsmanager:eu-south-1:210987654321:secret:ghcr-creds-XyZ123';
    useImage(s, 'ghcr.io/acme/checkout:2', { repositoryCredentials: { credentialsParameter: secret } });
    setFact(s, 'secrets.references', [
      {
        valueFrom: secret,
        store: 'secretsmanager',
        containers: ['checkout'],
        purpose: 'registry-credentials',
        arn: secret,
        lookup: secret,
        account: '210987654321',
        region: 'eu-south-1',
        exists: false,
      },
    ]);
    const r = await runCheck(registryCredentialsCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('image:registry-credentials.fail.missing');
  });
  it('fails when the role may not read the secret, and passes when it may', async () => {
    const s = loadFacts('identity/local-eval.json');
    const secret = 'arn:aws:secretsmanager:eu-south-1:210987654321:secret:ghcr-creds-XyZ123';
    useImage(s, 'ghcr.io/acme/checkout:2', { repositoryCredentials: { credentialsParameter: secret } });
    setFact(s, 'secrets.references', [
      {
        valueFrom: secret,
        store: 'secretsmanager',
        containers: ['checkout'],
        purpose: 'registry-credentials',
        arn: secret,
        lookup: secret,
        account: '210987654321',
        region: 'eu-south-1',
        exists: true,
      },
    ]);
    const denied = await runCheck(registryCredentialsCheck, s);
    expect(denied.status).toBe('fail');
    expect(english(denied.message)).toContain('secretsmanager:GetSecretValue');
    value(s, 'iam.executionRolePolicies').policies.push({
      name: 'ghcr',
      kind: 'inline',
      document: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret }],
      },
    });
    expect((await runCheck(registryCredentialsCheck, s)).status).toBe('pass');
  });
});
