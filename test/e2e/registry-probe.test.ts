/**
 * Security, issue 13 finding 3: with registries.probePublic on, an image reference in a task definition (which
 * anyone who may register one writes) must not make the bot connect to an internal address. The built CLI against
 * moto; a TCP listener on loopback stands for an internal service and counts every connection it receives.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNetwork, motoAccount, runStoppedTask, type StoppedTask } from '../helpers/aws-scenario.js';
import { motoEnv, runCli, writeConfig } from '../helpers/cli.js';
import { freePort } from '../helpers/moto-server.js';

const motoUrl = inject('motoUrl');
const ACCOUNT = '343434343434';

/** Listens on 127.0.0.1 and (when the machine has it) ::1 on one port; counts connections, answers none. */
async function internalService(): Promise<{ port: number; connections: () => number; close: () => void }> {
  const port = await freePort();
  let connections = 0;
  const servers: Server[] = [];
  for (const host of ['127.0.0.1', '::1']) {
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, host, () => resolve(true));
    });
    if (listening) servers.push(server);
  }
  expect(servers.length).toBeGreaterThan(0);
  return {
    port,
    connections: () => connections,
    close: () => {
      for (const s of servers) s.close();
    },
  };
}

interface ReportCheck {
  id: string;
  status: string;
  message: { key: string; text: string };
  evidence: Array<{ key: string; text: string }>;
}

describe.skipIf(!motoUrl)(
  `registry probe refuses internal addresses${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let service: Awaited<ReturnType<typeof internalService>>;
    let byName: StoppedTask;
    let byAddress: StoppedTask;
    let roleArn: string;

    beforeAll(async () => {
      service = await internalService();
      const a = await motoAccount(motoUrl!, ACCOUNT);
      const net = await createNetwork(a);
      byName = await runStoppedTask(a, net, {
        cluster: 'ssrf',
        family: 'by-name',
        image: `localhost:${service.port}/team/app:1.0`,
      });
      byAddress = await runStoppedTask(a, net, {
        cluster: 'ssrf',
        family: 'by-address',
        image: `127.0.0.1:${service.port}/team/app:1.0`,
      });
      roleArn = `arn:aws:iam::${ACCOUNT}:role/ecs-pull-diagnostics`;
    });

    afterAll(() => service?.close());

    const config = (registries: string[]) =>
      writeConfig(
        [
          'accounts:',
          `  "${ACCOUNT}":`,
          `    roleArn: ${roleArn}`,
          'registries:',
          '  probePublic: true',
          '  probeTimeoutMs: 3000',
          ...registries,
        ].join('\n'),
      );

    const imageExists = async (taskArn: string, configFile: string) => {
      const r = await runCli(['why', taskArn, '--json'], motoEnv(motoUrl!, configFile));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as { checks: ReportCheck[] };
      return report.checks.find((c) => c.id === 'image.exists')!;
    };

    it('does not connect to a registry that is not on the allow-list (a name, then an address)', async () => {
      const file = config([]);
      const named = await imageExists(byName.taskArn, file);
      const numeric = await imageExists(byAddress.taskArn, file);
      expect(service.connections()).toBe(0);
      for (const [check, registry] of [
        [named, `localhost:${service.port}`],
        [numeric, `127.0.0.1:${service.port}`],
      ] as const) {
        expect(check.status).not.toBe('pass');
        expect(check.message.text).toContain(`${registry} is not on the list of registries ecs-pull may ask`);
      }
    });

    it('does not connect when the allow-list names it but the name resolves to a loopback address', async () => {
      const check = await imageExists(
        byName.taskArn,
        config(['  allow:', `    - localhost:${service.port}`, '    - ghcr.io']),
      );
      expect(service.connections()).toBe(0);
      expect(check.status).toBe('unknown');
      expect(check.message.text).toMatch(/resolves to (127\.0\.0\.1|::1), a loopback address/);
    });
  },
);
