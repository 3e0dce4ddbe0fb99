/**
 * A loopback proxy in front of moto that remembers every secret AWS hands out or is handed: the role session
 * credentials in sts:AssumeRole answers (secret key and session token) and the ExternalIds in AssumeRole
 * requests, so that a test can prove none of them reaches a log. It also knows which account each session key
 * belongs to, and can deny chosen actions in chosen accounts, or AssumeRole into them, the way AWS does.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { actionOf } from './fault-proxy.js';

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

function denial(
  action: string,
  protocol: 'json' | 'ec2' | 'query',
): { status: number; type: string; body: string } {
  const msg = `not authorized to perform: ${action}`;
  if (protocol === 'json')
    return {
      status: 400,
      type: 'application/x-amz-json-1.1',
      body: JSON.stringify({ __type: 'AccessDeniedException', message: msg }),
    };
  if (protocol === 'ec2')
    return {
      status: 403,
      type: 'text/xml',
      body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>${msg}</Message></Error></Errors><RequestID>f00d</RequestID></Response>`,
    };
  return {
    status: 403,
    type: 'text/xml',
    body: `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${msg}</Message></Error><RequestId>f00d</RequestId></ErrorResponse>`,
  };
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
      const a = actionOf(req.headers, text);
      const keyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
      const account = keyId ? accountOfKey.get(keyId) : undefined;
      const reply = (r: { status: number; type: string; body: string }) => {
        res.writeHead(r.status, { 'content-type': r.type, 'x-amzn-requestid': 'f00d' });
        res.end(r.body);
      };
      let roleAccount: string | undefined;
      if (a?.action === 'sts:AssumeRole') {
        const form = new URLSearchParams(text);
        const ext = form.get('ExternalId');
        if (ext) externalIds.push(ext);
        roleAccount = /^arn:[^:]+:iam::(\d{12}):/.exec(form.get('RoleArn') ?? '')?.[1];
        if (roleAccount && blocked.has(roleAccount)) return reply(denial(a.action, a.protocol));
      }
      if (a && account && denied.has(`${account}|${a.action}`)) return reply(denial(a.action, a.protocol));
      const up = request(
        { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          const { connection: _c, ...headers } = r.headers;
          const out: Buffer[] = [];
          r.on('data', (c: Buffer) => out.push(c));
          r.on('end', () => {
            const answer = Buffer.concat(out);
            if (a?.action === 'sts:AssumeRole') {
              const xml = answer.toString('utf8');
              const secret = tag(xml, 'SecretAccessKey');
              const token = tag(xml, 'SessionToken');
              const key = tag(xml, 'AccessKeyId');
              if (secret) issued.push(secret);
              if (token) issued.push(token);
              if (key && roleAccount) accountOfKey.set(key, roleAccount);
            }
            res.writeHead(r.statusCode ?? 502, headers);
            res.end(answer);
          });
        },
      );
      up.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      up.end(body);
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
