/**
 * A loopback proxy in front of moto that remembers every secret AWS hands out or is handed: the role session
 * credentials in sts:AssumeRole answers (secret key and session token) and the ExternalIds in AssumeRole
 * requests, so that a test can prove none of them reaches a log. It also knows which account each session key
 * belongs to, and can deny chosen actions in chosen accounts, or AssumeRole into them, the way AWS does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { actionOf, denial, forward, reply } from './fault-proxy.js';

export interface SecretProxy {
  url: string;
  /** Secret access keys and session tokens of every role session moto issued through the proxy. */
  readonly issued: string[];
  /** ExternalIds sent with AssumeRole. */
  readonly externalIds: string[];
  /** Denies `action` (ec2:DescribeRouteTables) for requests made with a session in `account`. */
  deny(account: string, action: string): void;
  /** Refuses sts:AssumeRole into any role of `account`. */
  blockAssume(account: string): void;
  close(): Promise<void>;
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1];

export async function startSecretProxy(target: string): Promise<SecretProxy> {
  const t = new URL(target);
  const issued: string[] = [];
  const externalIds: string[] = [];
  const accountOfKey = new Map<string, string>();
  const denied = new Set<string>();
  const blocked = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const a = actionOf(req.headers, text, req);
      const keyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
      const account = keyId ? accountOfKey.get(keyId) : undefined;
      let roleAccount: string | undefined;
      if (a?.action === 'sts:AssumeRole') {
        const form = new URLSearchParams(text);
        const ext = form.get('ExternalId');
        if (ext) externalIds.push(ext);
        roleAccount = /^arn:[^:]+:iam::(\d{12}):/.exec(form.get('RoleArn') ?? '')?.[1];
        if (roleAccount && blocked.has(roleAccount)) return reply(res, denial(a.action, a.protocol));
      }
      if (a && account && denied.has(`${account}|${a.action}`))
        return reply(res, denial(a.action, a.protocol));
      forward(t, req, body, res, (answer) => {
        if (a?.action !== 'sts:AssumeRole') return;
        const xml = answer.toString('utf8');
        const secret = tag(xml, 'SecretAccessKey');
        const token = tag(xml, 'SessionToken');
        const key = tag(xml, 'AccessKeyId');
        if (secret) issued.push(secret);
        if (token) issued.push(token);
        if (key && roleAccount) accountOfKey.set(key, roleAccount);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    issued,
    externalIds,
    deny: (account, action) => {
      denied.add(`${account}|${action}`);
    },
    blockAssume: (account) => {
      blocked.add(account);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
