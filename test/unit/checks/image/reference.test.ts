import { describe, expect, it } from 'vitest';
import { imageReferenceCheck } from '../../../../src/diagnosis/checks/image/reference.js';
import { english, loadFacts, runCheck, setFact, useImage } from '../../../helpers/checks.js';

const healthy = () => loadFacts('identity/healthy.json');

describe('image.reference: the reference parses and names the registry that was meant', () => {
  it('passes a full ECR URI', async () => {
    expect((await runCheck(imageReferenceCheck, healthy())).status).toBe('pass');
  });
  it('fails a bare name when an ECR repository of that name exists', async () => {
    const s = healthy();
    useImage(s, 'checkout:2.14.0');
    setFact(s, 'ecr.bareNames', [
      {
        image: 'checkout:2.14.0',
        repositoryName: 'checkout',
        exists: true,
        repositoryUri: '210987654321.dkr.ecr.eu-south-1.amazonaws.com/checkout',
      },
    ]);
    const r = await runCheck(imageReferenceCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('210987654321.dkr.ecr.eu-south-1.amazonaws.com/checkout:2.14.0');
  });
  it('passes a bare Docker Hub name with no ECR namesake, saying where it resolves', async () => {
    const s = healthy();
    useImage(s, 'nginx:1.27');
    setFact(s, 'ecr.bareNames', [{ image: 'nginx:1.27', repositoryName: 'nginx', exists: false }]);
    const r = await runCheck(imageReferenceCheck, s);
    expect(r.status).toBe('pass');
    expect(english(r.message)).toContain('docker.io/library/nginx:1.27');
  });
  it('fails a malformed reference', async () => {
    const s = healthy();
    useImage(s, 'Checkout:2.14.0 ');
    expect((await runCheck(imageReferenceCheck, s)).message.key).toBe('image:reference.fail.invalid');
  });
});
