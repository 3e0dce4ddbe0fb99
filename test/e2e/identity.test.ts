/** Identity, image and storage scenarios end to end on moto: each asserts the first failing check of its area. */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Report } from '../../src/diagnosis/report.js';
import { motoAccount, runStoppedTask, type TaskSpec } from '../helpers/aws-scenario.js';
import { english, evidenceText } from '../helpers/checks.js';
import {
  allowPull,
  createRepository,
  keepLastReleases,
  logsOnlyRole,
  pullingRole,
  pushImage,
  pushIndex,
  tokenOnlyRole,
} from '../helpers/identity-scenario.js';
import { diagnoseInMoto, useMotoEndpoint } from '../helpers/moto-engine.js';
import { natPath } from '../helpers/network-scenario.js';

const motoUrl = inject('motoUrl');
const ids = new Set([
  'iam.execution-role',
  'image.reference',
  'image.exists',
  'image.platform',
  'image.repository-policy',
  'image.registry-credentials',
  'image.rate-limit',
  'storage.ephemeral',
  'secrets.retrieval',
]);
const identityChecks = (r: Report) => r.checks.filter((c) => ids.has(c.id));
const firstFail = (r: Report) => identityChecks(r).find((c) => c.status === 'fail');

let n = 0;
type Account = Awaited<ReturnType<typeof motoAccount>>;
async function scenario(setup: (a: Account) => Promise<TaskSpec>) {
  n++;
  const a = await motoAccount(motoUrl!, `32${String(Date.now()).slice(-6)}${String(n).padStart(4, '0')}`);
  const net = await natPath(a);
  const spec = await setup(a);
  const task = await runStoppedTask(a, net, spec);
  const { report } = await diagnoseInMoto(motoUrl!, task.taskArn);
  return { a, report };
}
const uri = (a: Account, repo: string, tag: string) =>
  `${a.account}.dkr.ecr.${a.region}.amazonaws.com/${repo}:${tag}`;

describe.skipIf(!motoUrl)(
  `identity, image and storage scenarios on moto${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    beforeAll(() => useMotoEndpoint(motoUrl!));

    it('a tag that does not exist, with a lifecycle policy → image.exists names the rule and the recent tags', async () => {
      const { report } = await scenario(async (a) => {
        await createRepository(a, 'checkout');
        await pushImage(a, 'checkout', 'v2.15.0');
        await pushImage(a, 'checkout', 'v2.15.1', undefined, 2);
        await keepLastReleases(a, 'checkout', 2);
        return { image: uri(a, 'checkout', 'v2.14.0'), executionRoleArn: await pullingRole(a) };
      });
      const top = firstFail(report)!;
      expect(top.id).toBe('image.exists');
      expect(top.message.key).toBe('image:exists.fail.no-tag-lifecycle');
      expect(evidenceText(top)).toContain('keep the last 2 releases');
      expect(evidenceText(top)).toContain('keeps the 2 newest images it selects and 2 are there now');
      expect(evidenceText(top)).toMatch(/Recent image: v2\.15\.[01]/);
      expect(english(top.message)).toContain('used by app');
    });

    it('a repository that does not exist → image.exists suggests the near name', async () => {
      const { report } = await scenario(async (a) => {
        await createRepository(a, 'checkout-api');
        return { image: uri(a, 'checkout-ap', '1.0.0'), executionRoleArn: await pullingRole(a) };
      });
      const top = firstFail(report)!;
      expect(top.id).toBe('image.exists');
      expect(top.message.key).toBe('image:exists.fail.no-repository');
      expect(english(top.remediation!)).toContain('checkout-api');
    });

    it('a bare image name where an ECR repository of that name exists → image.reference', async () => {
      const { report } = await scenario(async (a) => {
        await createRepository(a, 'billing');
        await pushImage(a, 'billing', '3.1.0');
        return { image: 'billing:3.1.0', executionRoleArn: await pullingRole(a) };
      });
      const top = firstFail(report)!;
      expect(top.id).toBe('image.reference');
      expect(english(top.message)).toMatch(/\d{12}\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/billing:3\.1\.0/);
    });

    it('an execution role with no ECR permissions → iam.execution-role, decided locally (moto has no simulation)', async () => {
      const { report } = await scenario(async (a) => {
        await createRepository(a, 'web');
        await pushImage(a, 'web', '1.4.2');
        return { image: uri(a, 'web', '1.4.2'), executionRoleArn: await logsOnlyRole(a) };
      });
      const top = firstFail(report)!;
      expect(top.id).toBe('iam.execution-role');
      expect(english(top.message)).toContain('ecr:GetAuthorizationToken');
      expect(evidenceText(top)).toContain("evaluating the role's policies here (logs)");
    });

    it('no execution role → iam.execution-role says one is needed', async () => {
      const { report } = await scenario(async (a) => {
        await createRepository(a, 'web');
        await pushImage(a, 'web', '1.4.2');
        return { image: uri(a, 'web', '1.4.2') };
      });
      const top = firstFail(report)!;
      expect(top.id).toBe('iam.execution-role');
      expect(top.message.key).toBe('iam:execution-role.fail.none');
    });

    it('a healthy role and image → every identity check passes', async () => {
      const { report } = await scenario(async (a) => {
        await createRepository(a, 'web');
        await pushIndex(a, 'web', '1.4.2', ['amd64', 'arm64']);
        return { image: uri(a, 'web', '1.4.2'), executionRoleArn: await pullingRole(a) };
      });
      const bad = identityChecks(report).filter((c) => c.status !== 'pass' && c.status !== 'skip');
      expect(bad.map((c) => `${c.id}:${c.status}`)).toEqual([]);
      for (const id of [
        'iam.execution-role',
        'image.reference',
        'image.exists',
        'image.platform',
        'storage.ephemeral',
      ]) {
        expect(report.checks.find((c) => c.id === id)?.status, id).toBe('pass');
      }
    });

    it('an image too large for its ephemeral storage → storage.ephemeral recommends a size', async () => {
      const { report } = await scenario(async (a) => {
        await createRepository(a, 'ml');
        await pushImage(a, 'ml', '2024.1', 9 * 1024 ** 3);
        return { image: uri(a, 'ml', '2024.1'), executionRoleArn: await pullingRole(a) };
      });
      const top = firstFail(report)!;
      expect(top.id).toBe('storage.ephemeral');
      expect(english(top.remediation!)).toContain('ephemeralStorage.sizeInGiB to 38');
    });

    it('a role with no repository permission, granted by the repository policy → iam.execution-role passes', async () => {
      const { report } = await scenario(async (a) => {
        await createRepository(a, 'web');
        await pushImage(a, 'web', '1.4.2');
        const role = await tokenOnlyRole(a);
        await allowPull(a, 'web', role);
        return { image: uri(a, 'web', '1.4.2'), executionRoleArn: role };
      });
      const role = report.checks.find((c) => c.id === 'iam.execution-role')!;
      expect(role.status).toBe('pass');
      expect(evidenceText(role)).toContain('ecr:BatchGetImage on arn:aws:ecr:eu-west-1:');
      expect(evidenceText(role)).toContain('allowed by the repository policy');
      expect(firstFail(report)).toBeUndefined();
    });

    it('a private registry whose credentials secret does not exist → image.registry-credentials', async () => {
      const { a, report } = await scenario(async (a) => ({
        executionRoleArn: await pullingRole(a),
        containers: [
          {
            name: 'app',
            image: 'ghcr.io/acme/checkout:2.0.1',
            memory: 512,
            essential: true,
            repositoryCredentials: {
              credentialsParameter: `arn:aws:secretsmanager:eu-west-1:${a.account}:secret:ghcr-creds-AbCdEf`,
            },
          },
        ],
      }));
      const top = firstFail(report)!;
      expect(top.id).toBe('image.registry-credentials');
      expect(top.message.key).toBe('image:registry-credentials.fail.missing');
      expect(english(top.message)).toContain(`${a.account}:secret:ghcr-creds-AbCdEf`);
    });

    it('an arm64 task with an amd64-only image → image.platform', async () => {
      const { report } = await scenario(async (a) => {
        await createRepository(a, 'web');
        await pushIndex(a, 'web', '1.4.2', ['amd64']);
        return {
          image: uri(a, 'web', '1.4.2'),
          executionRoleArn: await pullingRole(a),
          taskDefinition: { runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' } },
        };
      });
      const top = firstFail(report)!;
      expect(top.id).toBe('image.platform');
      expect(english(top.message)).toContain('no build for linux/arm64 (it has: linux/amd64)');
    });
  },
);
