/**
 * A loopback proxy in front of moto for the security tests: it counts every AWS request that reaches it (so that
 * a test can prove a refused request made none), and answers chosen calls with the errors AWS really gives,
 * whose messages carry what must never reach Slack: the caller's role ARN (the bot's own task role, or the
 * diagnostics role with the ecs-pull-… session name) and the request id. It knows the account and the session
 * name of every role session moto issued through it, from the AssumeRole exchange.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { actionOf, forward, reply } from './fault-proxy.js';

/** The bot's own identity as AWS names it in an AssumeRole denial: the ECS task role of the bot's task. */
export const BOT_CALLER_ARN =
  'arn:aws:sts::123456789012:assumed-role/ecs-pull-bot-TaskRole-1Q2W3E4R5T6Y/8d7c6b5a4f3e2d1c0b9a';

export type GateFault = 'denied' | 'server-error';

export interface GateProxy {
  url: string;
  /** Requests since the last reset. */
  total(): number;
  /** Requests since the last reset, by IAM action (sts:AssumeRole, ecs:DescribeTasks, …). */
  byAction(): Record<string, number>;
  reset(): void;
  /** sts:AssumeRole into any role of `account` is refused, as AWS refuses a role that does not trust the bot. */
  refuseAssume(account: string): void;
  /** `action` made with a role session of `account` fails that way. */
  fail(account: string, action: string, fault: GateFault): void;
  /** Every request id the proxy put in an error (they must not reach Slack). */
  readonly requestIds: string[];
  /** The RoleSessionName of every AssumeRole request (ecs-pull-slack-TEAM-USER). */
  readonly sessionNames: string[];
  close(): Promise<void>;
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1];

export async function startGateProxy(target: string): Promise<GateProxy> {
  const t = new URL(target);
  let total = 0;
  let counts: Record<string, number> = {};
  const refused = new Set<string>();
  const faults = new Map<string, GateFault>();
  const requestIds: string[] = [];
  const sessionNames: string[] = [];
  /** Access key id → the role session it belongs to. */
  const sessions = new Map<string, { account: string; roleArn: string; sessionName: string }>();
  let seq = 0;
  const newRequestId = () => {
    const id = `7e1f${String(++seq).padStart(4, '0')}-5b3a-4c2d-9e8f-0a1b2c3d4e5f`;
    requestIds.push(id);
    return id;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      total++;
      const a = actionOf(req.headers, text, req);
      const action = a?.action ?? 'unknown';
      counts[action] = (counts[action] ?? 0) + 1;
      if (action === 'sts:AssumeRole') {
        const form = new URLSearchParams(text);
        const roleArn = form.get('RoleArn') ?? '';
        const sessionName = form.get('RoleSessionName') ?? '';
        sessionNames.push(sessionName);
        const account = /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? '';
        if (refused.has(account)) {
          const id = newRequestId();
          res.writeHead(403, { 'content-type': 'text/xml', 'x-amzn-requestid': id });
          res.end(
            `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: ${BOT_CALLER_ARN} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
          );
          return;
        }
        forward(t, req, body, res, (answer) => {
          const key = tag(answer.toString('utf8'), 'AccessKeyId');
          if (key) sessions.set(key, { account, roleArn, sessionName });
        });
        return;
      }
      const keyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
      const session = keyId ? sessions.get(keyId) : undefined;
      const fault = session && a ? faults.get(`${session.account}|${a.action}`) : undefined;
      if (session && a && fault) {
        const id = newRequestId();
        const caller = `arn:aws:sts::${session.account}:assumed-role/${session.roleArn.split('/').pop()}/${session.sessionName}`;
        const [code, status, message] =
          fault === 'denied'
            ? [
                'AccessDeniedException',
                400,
                `User: ${caller} is not authorized to perform: ${a.action} on resource: * because no identity-based policy allows the ${a.action} action`,
              ]
            : ['ServerException', 500, `Service error while serving ${caller}. Request ID: ${id}`];
        if (a.protocol === 'json') {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': id });
          res.end(JSON.stringify({ __type: code, message }));
        } else {
          reply(res, {
            status: status === 400 ? 403 : status,
            type: 'text/xml',
            body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
          });
        }
        return;
      }
      forward(t, req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    total: () => total,
    byAction: () => ({ ...counts }),
    reset: () => {
      total = 0;
      counts = {};
    },
    refuseAssume: (account) => {
      refused.add(account);
    },
    fail: (account, action, fault) => {
      faults.set(`${account}|${action}`, fault);
    },
    requestIds,
    sessionNames,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
