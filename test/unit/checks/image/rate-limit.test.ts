import { describe, expect, it } from 'vitest';
import { rateLimitCheck } from '../../../../src/diagnosis/checks/image/rate-limit.js';
import { english, evidenceText, loadFacts, runCheck, setFact, useImage } from '../../../helpers/checks.js';

const healthy = () => loadFacts('identity/healthy.json');

describe('image.rate-limit: Docker Hub images are not pulled anonymously', () => {
  it('warns an anonymous Docker Hub pull', async () => {
    const s = healthy();
    useImage(s, 'redis:7');
    const r = await runCheck(rateLimitCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.remediation!)).toContain('pull-through cache');
  });
  it('fails when the probe sees the limit used up', async () => {
    const s = healthy();
    useImage(s, 'redis:7');
    setFact(s, 'registry.probe', [
      {
        registry: 'registry-1.docker.io',
        repository: 'library/redis',
        reference: '7',
        outcome: 'rate-limited',
        status: 429,
        rateLimit: { remaining: 0, limit: 100, windowSeconds: 21600 },
      },
    ]);
    const r = await runCheck(rateLimitCheck, s);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toContain(
      "asked from ecs-pull's address: 0 of 100 anonymous pulls left in the 6-hour window",
    );
  });
  it('passes with credentials and does not apply outside Docker Hub', async () => {
    const s = healthy();
    useImage(s, 'redis:7', {
      repositoryCredentials: {
        credentialsParameter: 'arn:aws:secretsmanager:eu-south-1:210987654321:secret:hub-AbC',
      },
    });
    expect((await runCheck(rateLimitCheck, s)).status).toBe('pass');
    expect((await runCheck(rateLimitCheck, healthy())).status).toBe('skip');
  });
});
