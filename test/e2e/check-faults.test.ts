/**
 * The pre-flight under faults, on moto behind the proxy that makes chosen actions fail as AWS does: every action a
 * healthy pre-flight calls, denied in turn, leaves a report (in both languages) whose verdict does not block on
 * the denial and names the checks it could not run; a service or task definition that cannot be read is one
 * clear error naming the action; calls that never answer end at the deadline with a partial, non-blocking report.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CheckReport } from '../../src/diagnosis/check-report.js';
import { isUserError } from '../../src/errors.js';
import { translator } from '../../src/i18n.js';
import { renderCheckText } from '../../src/render/check-text.js';
import { motoAccount } from '../helpers/aws-scenario.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { createRepository, pullingRole, pushIndex } from '../helpers/identity-scenario.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { natPath } from '../helpers/network-scenario.js';
import { createService, preflightInMoto, registerTaskDefinition } from '../helpers/preflight-scenario.js';

const motoUrl = inject('motoUrl');
const ACCOUNT = '431188800001';

/** The actions whose answer plans the task: without them there is nothing to check. */
const PLANNING = new Set(['ecs:DescribeServices', 'ecs:DescribeTaskDefinition']);

describe.skipIf(!motoUrl)(
  `the pre-flight under faults${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let proxy: FaultProxy;
    let baseline: string[] = [];

    const config = (aws: Partial<ReturnType<typeof motoConfig>['aws']> = {}) => {
      const base = motoConfig();
      return motoConfig({ aws: { ...base.aws, maxAttempts: 1, ...aws } });
    };
    const run = async (cfg = config()): Promise<CheckReport> =>
      (await preflightInMoto(proxy.url, { account: ACCOUNT, cluster: 'faults', service: 'web' }, cfg)).report;
    const clean = (r: CheckReport) => {
      for (const lang of ['en', 'it'] as const) {
        const text = renderCheckText(r, translator(lang));
        expect(text).not.toMatch(/\{\{|undefined|\[object Object\]|NaN/);
      }
    };

    beforeAll(async () => {
      useMotoEndpoint(motoUrl!);
      proxy = await startFaultProxy(motoUrl!);
      const a = await motoAccount(motoUrl!, ACCOUNT);
      const net = await natPath(a);
      await createRepository(a, 'web');
      await pushIndex(a, 'web', '1.4.2', ['amd64', 'arm64']);
      const td = await registerTaskDefinition(a, { executionRoleArn: await pullingRole(a) });
      await createService(a, net, { cluster: 'faults', service: 'web', taskDefinition: td.arn });
      proxy.set({});
      const report = await run();
      expect(report.verdict).toMatchObject({ outcome: 'would-pull', unverified: [] });
      baseline = [...new Set(report.aws.calls.map((c) => c.api))].filter((x) => !x.startsWith('sts:'));
    }, 120_000);
    afterAll(async () => {
      await proxy?.close();
    });

    it('a healthy pre-flight calls the network, identity and image actions', () => {
      for (const a of [
        'ecs:DescribeServices',
        'ecs:DescribeTaskDefinition',
        'ec2:DescribeSubnets',
        'ec2:DescribeRouteTables',
        'ec2:DescribeSecurityGroups',
        'ecr:BatchGetImage',
        'iam:GetRole',
      ])
        expect(baseline).toContain(a);
      expect(baseline).not.toContain('ecs:DescribeTasks');
      expect(baseline).not.toContain('ec2:DescribeNetworkInterfaces');
    });

    it('the service or task definition denied: one clear error naming the action, no report', async () => {
      proxy.set({ 'ecs:DescribeServices': { kind: 'deny' } });
      let err = await run().catch((e: unknown) => e);
      expect(isUserError(err)).toBe(true);
      expect(err).toMatchObject({
        key: 'errors.check.denied',
        exitCode: 3,
        params: { action: 'ecs:DescribeServices' },
      });
      proxy.set({ 'ecs:DescribeTaskDefinition': { kind: 'deny' } });
      err = await run().catch((e: unknown) => e);
      expect(err).toMatchObject({
        key: 'errors.check.denied-task-definition',
        exitCode: 3,
        params: { action: 'ecs:DescribeTaskDefinition' },
      });
    });

    it('every other action denied in turn: a report, no check failing because of it, the unverified ones named', async () => {
      const denied = baseline.filter((a) => !PLANNING.has(a));
      expect(denied.length).toBeGreaterThan(10);
      for (const action of denied) {
        proxy.set({ [action]: { kind: 'deny' } });
        const report = await run();
        expect(proxy.seen(action), action).toBeGreaterThan(0);
        clean(report);
        // A permission the pre-flight lacks is never a reason to stop a deployment.
        expect(report.verdict.blocking, action).toBe(false);
        const naming = report.checks.filter(
          (c) => c.status === 'unknown' && c.missing?.error.action === action,
        );
        expect(report.verdict.unverified, action).toEqual(expect.arrayContaining(naming.map((c) => c.id)));
      }
    }, 240_000);

    it('calls that never answer past the deadline: a partial report, not blocking, naming what did not finish', async () => {
      proxy.set({ 'ec2:DescribeSecurityGroups': { kind: 'hang' } });
      const t0 = Date.now();
      const report = await run(config({ callTimeoutMs: 10_000, deadlineMs: 1_500 }));
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(report.aws.deadlineExceeded).toBe(true);
      expect(report.verdict.blocking).toBe(false);
      expect(report.verdict.unverified).toContain('network.security-group-egress');
      expect(renderCheckText(report, translator('en'))).toContain('The deadline was reached');
      expect(report.checks.find((c) => c.id === 'network.route')!.status).toBe('pass');
    });
  },
);
