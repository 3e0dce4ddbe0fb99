/**
 * A service diagnosis under faults, on moto behind the fault proxy: each action it calls for the service itself
 * denied in turn (ecs:ListTasks and ecs:DescribeTasks: the service's own state and events still answered, with a
 * note naming the action and, with no stopped task to read, the pre-flight; ecs:DescribeServices: one error naming
 * the action), throttling retried, and the deadline.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ClientPool } from '../../src/aws/clients.js';
import { parseServiceTarget } from '../../src/aws/service-target.js';
import { diagnoseService } from '../../src/diagnosis/service.js';
import { servicePreflight } from '../../src/diagnosis/service-preflight.js';
import type { ServiceReport } from '../../src/diagnosis/service-report.js';
import { isUserError } from '../../src/errors.js';
import { translator } from '../../src/i18n.js';
import { renderServiceText } from '../../src/render/service-text.js';
import { BASE_CREDENTIALS, motoAccount } from '../helpers/aws-scenario.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { buildServiceScenario, type ServiceScenario } from '../helpers/service-scenario.js';

const motoUrl = inject('motoUrl');
const ACCOUNT = '317000000043';

describe.skipIf(!motoUrl)(
  `service diagnosis under faults${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let proxy: FaultProxy;
    let s: ServiceScenario;

    beforeAll(async () => {
      useMotoEndpoint(motoUrl!);
      s = await buildServiceScenario(await motoAccount(motoUrl!, ACCOUNT), {
        cluster: 'svc-faults',
        service: 'web',
        noRoute: 2,
        missingTag: 3,
      });
      proxy = await startFaultProxy(motoUrl!);
    });
    afterAll(async () => {
      await proxy?.close();
    });

    const run = (aws: Partial<ReturnType<typeof motoConfig>['aws']> = {}): Promise<ServiceReport> => {
      useMotoEndpoint(proxy.url);
      const base = motoConfig();
      const config = motoConfig({ aws: { ...base.aws, maxAttempts: 1, ...aws } });
      return diagnoseService(
        {
          target: parseServiceTarget(`arn:aws:ecs:eu-west-1:${ACCOUNT}:service/${s.cluster}/${s.service}`),
          requester: 'e2e',
        },
        {
          pool: new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
          deadlineMs: config.aws.deadlineMs,
          preflight: servicePreflight,
        },
      );
    };
    const text = (r: ServiceReport) => ({
      en: renderServiceText(r, translator('en')),
      it: renderServiceText(r, translator('it')),
    });

    it('nothing denied: two groups', async () => {
      proxy.set({});
      const r = await run();
      expect(r.groups.map((g) => g.count)).toEqual([3, 2]);
    });

    for (const action of ['ecs:ListTasks', 'ecs:DescribeTasks']) {
      it(`${action} denied → the service answered, a note names the action, the pre-flight runs`, async () => {
        proxy.set({ [action]: { kind: 'deny' } });
        const r = await run();
        expect(proxy.seen(action)).toBeGreaterThan(0);
        expect(r.groups).toEqual([]);
        expect(r.notes[0]).toEqual({
          key: 'service:notes.tasks-unreadable',
          params: { action, code: 'AccessDeniedException' },
        });
        expect(r.notes.map((n) => n.key)).toContain('service:notes.preflight-ran');
        expect(r.preflight?.verdict.outcome).toBe('would-fail');
        const { en, it: it_ } = text(r);
        expect(en).toContain(
          `The stopped tasks could not all be read: ${action} failed (AccessDeniedException)`,
        );
        expect(it_).toContain(`${action} non è riuscita (AccessDeniedException)`);
        for (const t of [en, it_]) expect(t).not.toMatch(/\{\{|undefined|\[object Object\]|NaN/);
      });
    }

    it('ecs:DescribeServices denied → one error naming the action (exit 3), no report', async () => {
      proxy.set({ 'ecs:DescribeServices': { kind: 'deny' } });
      const err = await run().catch((e: unknown) => e);
      expect(isUserError(err) && err.key).toBe('service:errors.service.denied');
      expect(isUserError(err) && err.params.action).toBe('ecs:DescribeServices');
      expect(isUserError(err) && err.exitCode).toBe(3);
    });

    it('ListTasks throttled twice → retried with backoff, and the groups answered', async () => {
      proxy.set({ 'ecs:ListTasks': { kind: 'throttle', times: 2 } });
      const r = await run({ maxAttempts: 4 });
      expect(proxy.seen('ecs:ListTasks')).toBe(3);
      expect(r.groups.map((g) => g.count)).toEqual([3, 2]);
    });

    it('a listing that never answers past the deadline → the service answered, what did not finish said', async () => {
      proxy.set({ 'ecs:ListTasks': { kind: 'hang' } });
      const t0 = Date.now();
      const r = await run({ callTimeoutMs: 10_000, deadlineMs: 1_500 });
      expect(Date.now() - t0).toBeLessThan(8_000);
      expect(r.notes[0]!.key).toBe('service:notes.tasks-unreadable');
      expect(r.aws.deadlineExceeded).toBe(true);
      expect(text(r).en).toContain('The deadline was reached');
    });
  },
);
