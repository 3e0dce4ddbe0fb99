/**
 * A service diagnosed end to end on moto: its stopped tasks read (ListTasks, DescribeTasks in batches), grouped by
 * stop reason with the variable parts masked, one task of each group diagnosed by the real engine, the groups
 * sharing what they read; and through the built CLI (`ecs-pull service`, text and JSON, both languages).
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ClientPool } from '../../src/aws/clients.js';
import { parseServiceTarget } from '../../src/aws/service-target.js';
import { diagnoseService } from '../../src/diagnosis/service.js';
import { servicePreflight } from '../../src/diagnosis/service-preflight.js';
import { BASE_CREDENTIALS, motoAccount } from '../helpers/aws-scenario.js';
import { runCli } from '../helpers/cli.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { buildServiceScenario, type ServiceScenario } from '../helpers/service-scenario.js';

const motoUrl = inject('motoUrl');

describe.skipIf(!motoUrl)(
  `service diagnosis on moto${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let s: ServiceScenario;
    const ACCOUNT = '317000000041';

    beforeAll(async () => {
      useMotoEndpoint(motoUrl!);
      s = await buildServiceScenario(await motoAccount(motoUrl!, ACCOUNT), {
        cluster: 'svc-two-groups',
        service: 'web',
        noRoute: 4,
        missingTag: 6,
        scaledIn: 2,
      });
    });

    const diagnoseIt = async () => {
      const config = motoConfig();
      const pool = new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
      return diagnoseService(
        {
          target: parseServiceTarget(`arn:aws:ecs:eu-west-1:${ACCOUNT}:service/${s.cluster}/${s.service}`),
          requester: 'e2e',
        },
        { pool, deadlineMs: config.aws.deadlineMs, preflight: servicePreflight },
      );
    };

    it('groups the stopped tasks by masked stop reason and diagnoses each group to its cause', async () => {
      const r = await diagnoseIt();
      expect(r.kind).toBe('ecs-pull-service-report');
      expect(r.service.serviceName).toBe('web');
      expect(r.service.stoppedTasks.described).toBe(12);
      expect(r.groups.map((g) => g.count)).toEqual([6, 4, 2]);
      const [tag, route, scaled] = r.groups;
      expect(tag!.taskArns.sort()).toEqual([...s.missingTag].sort());
      expect(tag!.report!.causes[0]!.id).toBe('image-not-found');
      expect(tag!.report!.checks.find((c) => c.id === 'image.exists')!.status).toBe('fail');
      expect(route!.taskArns.sort()).toEqual([...s.noRoute].sort());
      expect(route!.report!.causes[0]!.id).toBe('network-no-route');
      expect(route!.report!.checks.find((c) => c.id === 'network.route')!.status).toBe('fail');
      expect(scaled!.failed).toBe(false);
      expect(scaled!.report!.causes[0]!.id).toBe('not-a-pull-failure');
      expect(r.preflight).toBeNull();
      // Shared facts: the execution role is read once for the three groups, the tasks not again after the batch.
      const calls = r.aws.calls.filter((c) => !c.cached);
      expect(calls.filter((c) => c.api === 'iam:GetRole')).toHaveLength(1);
      expect(calls.filter((c) => c.api === 'ecs:DescribeTasks')).toHaveLength(1);
      expect(calls.filter((c) => c.api === 'ecs:DescribeServices')).toHaveLength(1);
      console.info(`service, 12 tasks in 3 groups: ${r.aws.callCount} AWS calls, ${r.aws.rounds} rounds`);
    });
  },
);
