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
    describe('the built CLI: ecs-pull service', () => {
      const env = () => ({
        HOME: '/nonexistent',
        AWS_CONFIG_FILE: '/nonexistent/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
        AWS_ENDPOINT_URL: motoUrl!,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'eu-west-1',
      });
      const role = `arn:aws:iam::${ACCOUNT}:role/OnCall`;

      it('CLUSTER/SERVICE with --role-arn: the deployments, the group that matters in full, the others, exit 0', async () => {
        const r = await runCli(['service', `${s.cluster}/${s.service}`, '--role-arn', role], env());
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('ecs-pull · service web');
        expect(r.stdout).toContain(`Cluster ${s.cluster} · account ${ACCOUNT} · eu-west-1`);
        expect(r.stdout).toContain('Deployment circuit breaker: off');
        expect(r.stdout).toContain('12 stopped tasks, in 3 groups of one stop reason each');
        // The lead group as `why` prints a task, then the others with their answer.
        const lead = r.stdout.indexOf('Group 1 of 3 · 6 tasks');
        const second = r.stdout.indexOf('Group 2 of 3 · 4 tasks');
        expect(lead).toBeGreaterThan(0);
        expect(second).toBeGreaterThan(lead);
        const shown = /ecs-pull · task (\S+)/.exec(r.stdout.slice(lead, second))?.[1];
        expect(s.missingTag.map((a) => a.split('/').pop())).toContain(shown);
        expect(r.stdout.slice(lead, second)).toContain('Most likely: The image');
        expect(r.stdout.slice(second)).toMatch(/Most likely: Subnet subnet-\w+ has no working way out/);
        expect(r.stdout).toMatch(/AWS: \d+ calls in \d+ sequential rounds/);
      });

      it('--json: the service report, each group with its report as why --json prints it', async () => {
        const arn = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/${s.cluster}/${s.service}`;
        const r = await runCli(['service', arn, '--json', '--role-arn', role], env());
        expect(r.code).toBe(0);
        const j = JSON.parse(r.stdout);
        expect(j).toMatchObject({ schema: 1, kind: 'ecs-pull-service-report', lang: 'en', preflight: null });
        expect(j.service).toMatchObject({
          serviceName: 'web',
          cluster: s.cluster,
          account: ACCOUNT,
          region: 'eu-west-1',
        });
        expect(j.groups.map((g: { count: number }) => g.count)).toEqual([6, 4, 2]);
        for (const g of j.groups) {
          expect(g.report.kind).toBe('ecs-pull-report');
          expect(g.taskArns).toContain(
            `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/${s.cluster}/${g.report.context.taskId}`,
          );
          expect(typeof g.report.causes[0].summary.text).toBe('string');
        }
      });

      it('Italian, and a console URL of the service', async () => {
        const url = `https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/${s.cluster}/services/${s.service}/deployments?region=eu-west-1`;
        const r = await runCli(['service', url, '--lang', 'it', '--role-arn', role], env());
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('ecs-pull · servizio web');
        expect(r.stdout).toContain('Gruppo 1 di 3 · 6 attività');
        expect(r.stdout).toContain('Distribuzioni');
      });

      it('exit codes as why: 3 for a service ECS does not know, 2 for what is not a service', async () => {
        const missing = await runCli(['service', `${s.cluster}/nope`, '--role-arn', role], env());
        expect(missing.code).toBe(3);
        expect(missing.stderr).toBe(
          `ecs-pull: Service nope was not found in cluster ${s.cluster} (account ${ACCOUNT}, eu-west-1).\n`,
        );
        const bad = await runCli(['service', 'a/b/c', '--role-arn', role], env());
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain('is not a service reference');
        const task = await runCli(['service', s.noRoute[0]!, '--role-arn', role], env());
        expect(task.code).toBe(2);
        expect(task.stderr).toContain('That is an ECS task ARN, not a service ARN.');
      });
    });

    describe('a service whose stopped tasks are gone: the pre-flight', () => {
      const GONE = '317000000042';
      let g: ServiceScenario;
      beforeAll(async () => {
        // The service's current deployment: a tag that was never pushed; no stopped task left to read.
        g = await buildServiceScenario(await motoAccount(motoUrl!, GONE), {
          cluster: 'svc-gone',
          service: 'web',
          noRoute: 0,
          missingTag: 0,
        });
      });

      it('the engine runs the pre-flight on the current task definition and network, and says so', async () => {
        const config = motoConfig();
        const pool = new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
        const r = await diagnoseService(
          {
            target: parseServiceTarget(`arn:aws:ecs:eu-west-1:${GONE}:service/${g.cluster}/${g.service}`),
            requester: 'e2e',
          },
          { pool, deadlineMs: config.aws.deadlineMs, preflight: servicePreflight },
        );
        expect(r.groups).toEqual([]);
        expect(r.notes.map((n) => n.key)).toEqual([
          'service:notes.no-stopped',
          'service:notes.preflight-ran',
        ]);
        expect(r.notes[1]!.params).toEqual({ taskDefinition: g.taskDefinitions.missingTag.split('/').pop() });
        expect(r.preflight!.kind).toBe('ecs-pull-check-report');
        expect(r.preflight!.verdict).toMatchObject({ outcome: 'would-fail', blocking: true });
        expect(r.preflight!.verdict.failing).toContain('image.exists');
        expect(r.preflight!.checks.find((c) => c.id === 'network.route')!.status).toBe('pass');
        // The service read once: the pre-flight found it in the cache.
        expect(r.aws.calls.filter((c) => c.api === 'ecs:DescribeServices' && !c.cached)).toHaveLength(1);
      });

      it('the built CLI says it and prints the pre-flight, in both languages; --json carries it', async () => {
        const role = `arn:aws:iam::${GONE}:role/OnCall`;
        const env = {
          HOME: '/nonexistent',
          AWS_CONFIG_FILE: '/nonexistent/config',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
          AWS_ENDPOINT_URL: motoUrl!,
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_REGION: 'eu-west-1',
        };
        const en = await runCli(['service', `${g.cluster}/${g.service}`, '--role-arn', role], env);
        expect(en.code).toBe(0);
        expect(en.stdout).toContain('ECS shows no stopped task of this service');
        expect(en.stdout).toContain(
          'ran the pre-flight on the service’s current task definition (web:2)'.replace('’', "'"),
        );
        expect(en.stdout).toContain('Pre-flight of a task started now');
        expect(en.stdout).toContain('Would fail');
        expect(en.stdout).toContain('(image.exists)');
        const it_ = await runCli(
          ['service', `${g.cluster}/${g.service}`, '--role-arn', role, '--lang', 'it'],
          env,
        );
        expect(it_.stdout).toContain("Controllo preliminare di un'attività avviata adesso");
        expect(it_.stdout).toContain('Non riuscirebbe');
        const json = JSON.parse(
          (await runCli(['service', `${g.cluster}/${g.service}`, '--json', '--role-arn', role], env)).stdout,
        );
        expect(json.groups).toEqual([]);
        expect(json.preflight.kind).toBe('ecs-pull-check-report');
        expect(json.preflight.verdict.blocking).toBe(true);
        expect(typeof json.preflight.verdict.summary.text).toBe('string');
        expect(json.notes.map((n: { key: string }) => n.key)).toContain('service:notes.preflight-ran');
      });
    });
  },
);
