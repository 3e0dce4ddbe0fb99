/**
 * A loopback proxy in front of moto that makes chosen AWS actions fail the way AWS does: AccessDenied in each
 * protocol's own error format, throttling for the first N attempts, or a call that never answers.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = { kind: 'deny' } | { kind: 'throttle'; times: number } | { kind: 'hang' };

const jsonPrefixes: Record<string, string> = {
  AmazonEC2ContainerServiceV20141113: 'ecs',
  AmazonEC2ContainerRegistry_V20150921: 'ecr',
  secretsmanager: 'secretsmanager',
  TrentService: 'kms',
  AmazonSSM: 'ssm',
  Logs_20140328: 'logs',
  CloudTrail_20131101: 'cloudtrail',
};

/** EFS's REST-JSON read operations by method and path (under /2015-02-01/). */
const efsReads: Array<[RegExp, string]> = [
  [/^\/2015-02-01\/file-systems\/[^/]+\/policy$/, 'DescribeFileSystemPolicy'],
  [/^\/2015-02-01\/file-systems$/, 'DescribeFileSystems'],
  [/^\/2015-02-01\/mount-targets\/[^/]+\/security-groups$/, 'DescribeMountTargetSecurityGroups'],
  [/^\/2015-02-01\/mount-targets$/, 'DescribeMountTargets'],
  [/^\/2015-02-01\/access-points$/, 'DescribeAccessPoints'],
];

/**
 * The IAM action of a request: from X-Amz-Target (JSON protocols), the method and path (EFS's REST-JSON reads), or
 * Action= and the SigV4 scope (query).
 */
export function actionOf(
  headers: Record<string, string | string[] | undefined>,
  body: string,
  request?: { method?: string | undefined; url?: string | undefined },
): { action: string; protocol: Protocol } | null {
  const scope = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(String(headers.authorization ?? ''))?.[1];
  if (scope === 'elasticfilesystem' && request?.method === 'GET') {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const op = efsReads.find(([re]) => re.test(path))?.[1];
    return op ? { action: `elasticfilesystem:${op}`, protocol: 'rest-json' } : null;
  }
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix, op] = target.split('.');
    const svc = jsonPrefixes[prefix ?? ''];
    return svc && op ? { action: `${svc}:${op}`, protocol: 'json' } : null;
  }
  const svc = scope;
  const op = new URLSearchParams(body).get('Action');
  if (!svc || !op) return null;
  return { action: `${svc}:${op}`, protocol: svc === 'ec2' ? 'ec2' : 'query' };
}

/** The wire protocols of the actions the gatherers call. */
export type Protocol = 'json' | 'ec2' | 'query' | 'rest-json';

/** AccessDenied as AWS answers it in the request's protocol. */
export function denial(
  action: string,
  protocol: Protocol,
): { status: number; type: string; body: string; headers?: Record<string, string> } {
  const msg = `User: arn:aws:sts::000000000000:assumed-role/ecs-pull-diagnostics/e2e is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;
  if (protocol === 'rest-json')
    return {
      status: 403,
      type: 'application/json',
      body: JSON.stringify({ ErrorCode: 'AccessDeniedException', Message: msg }),
      headers: { 'x-amzn-errortype': 'AccessDeniedException' },
    };
  if (protocol === 'json')
    return {
      status: 400,
      type: 'application/x-amz-json-1.1',
      body: JSON.stringify({ __type: 'AccessDeniedException', message: msg }),
    };
  if (protocol === 'ec2') {
    return {
      status: 403,
      type: 'text/xml',
      body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>${msg}</Message></Error></Errors><RequestID>f00d</RequestID></Response>`,
    };
  }
  return {
    status: 403,
    type: 'text/xml',
    body: `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${msg}</Message></Error><RequestId>f00d</RequestId></ErrorResponse>`,
  };
}

function throttle(protocol: Protocol): {
  status: number;
  type: string;
  body: string;
  headers?: Record<string, string>;
} {
  if (protocol === 'rest-json')
    return {
      status: 429,
      type: 'application/json',
      body: JSON.stringify({ ErrorCode: 'ThrottlingException', Message: 'Rate exceeded' }),
      headers: { 'x-amzn-errortype': 'ThrottlingException' },
    };
  if (protocol === 'json')
    return {
      status: 400,
      type: 'application/x-amz-json-1.1',
      body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
    };
  if (protocol === 'ec2') {
    return {
      status: 503,
      type: 'text/xml',
      body: '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>f00d</RequestID></Response>',
    };
  }
  return {
    status: 400,
    type: 'text/xml',
    body: '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>f00d</RequestId></ErrorResponse>',
  };
}

/** Writes a canned AWS answer. */
export function reply(
  res: ServerResponse,
  r: { status: number; type: string; body: string; headers?: Record<string, string> },
): void {
  res.writeHead(r.status, { 'content-type': r.type, 'x-amzn-requestid': 'f00d', ...r.headers });
  res.end(r.body);
}

/**
 * Sends the request on to `target` and its answer back; with `inspect`, the answer is read whole and shown to it
 * before it is passed on. A target that cannot be reached is a 502.
 */
export function forward(
  target: URL,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  inspect?: (answer: Buffer) => void,
): void {
  const up = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (r) => {
      const { connection: _c, ...headers } = r.headers;
      if (!inspect) {
        res.writeHead(r.statusCode ?? 502, headers);
        r.pipe(res);
        return;
      }
      const out: Buffer[] = [];
      r.on('data', (c: Buffer) => out.push(c));
      r.on('end', () => {
        const answer = Buffer.concat(out);
        inspect(answer);
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
}

export interface FaultProxy {
  url: string;
  /** Faults by IAM action; replaced wholesale by `set`. */
  set(faults: Record<string, Fault>): void;
  /** Requests seen per action since the last `set`. */
  seen(action: string): number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const t = new URL(target);
  let faults: Record<string, Fault> = {};
  let seen = new Map<string, number>();
  const hung = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const a = actionOf(req.headers, body.toString(), req);
      if (a) seen.set(a.action, (seen.get(a.action) ?? 0) + 1);
      const f = a ? faults[a.action] : undefined;
      if (a && f?.kind === 'deny') return reply(res, denial(a.action, a.protocol));
      if (a && f?.kind === 'throttle' && (seen.get(a.action) ?? 0) <= f.times)
        return reply(res, throttle(a.protocol));
      if (f?.kind === 'hang') {
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      }
      forward(t, req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set(f) {
      faults = f;
      seen = new Map();
    },
    seen: (action) => seen.get(action) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hung) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
