/**
 * CloudTrail's event history for the end-to-end tests, in front of moto (which has no LookupEvents): a loopback
 * proxy that answers CloudTrail's JSON 1.1 `CloudTrail_20131101.LookupEvents` (the SDK's target; the AWS CLI's
 * `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents` too) from the events a test files, in the
 * account and region the request is signed for, and forwards every other request to moto unchanged.
 *
 * It answers as CloudTrail does: one lookup attribute at most (InvalidLookupAttributesException otherwise),
 * MaxResults up to 50 (InvalidMaxResultsException), StartTime and EndTime inclusive, newest first, NextToken
 * paging, each Event with its record as a JSON string; ThrottlingException and AccessDeniedException on demand.
 * The account of a request comes from its access key: keys moto hands out through the proxy's AssumeRole answers
 * are remembered, anything else is moto's default account.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MOTO_DEFAULT_ACCOUNT } from './aws-scenario.js';
import { type Json, lookupEvent } from './cloudtrail-records.js';
import { forward } from './fault-proxy.js';

export interface FiledEvent {
  record: Json;
  /** What LookupEvents' Resources names (and ResourceName matches). */
  resources: Array<{ type: string; name: string }>;
}

export interface LookupRequest {
  account: string;
  region: string;
  body: Json;
  at: number;
}

export interface CloudTrailProxy {
  url: string;
  /** Files an event in the event history of (account, region). */
  add(account: string, region: string, record: Json, resources: Array<{ type: string; name: string }>): void;
  /** LookupEvents requests answered (or refused) since the last reset. */
  readonly lookups: LookupRequest[];
  /** Requests of any kind forwarded to moto since the last reset. */
  forwarded(): number;
  /** The next `times` LookupEvents requests of the account get ThrottlingException. */
  throttle(account: string, times: number): void;
  /** LookupEvents of the account is denied (AccessDeniedException). */
  deny(account: string): void;
  /** LookupEvents of the account never answers (until the connection is closed). */
  hang(account: string): void;
  reset(): void;
  close(): Promise<void>;
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1];
const TARGET = /^(?:com\.amazonaws\.cloudtrail\.v20131101\.)?CloudTrail_20131101\.(\w+)$/;

function jsonError(res: import('node:http').ServerResponse, type: string, message: string): void {
  res.writeHead(400, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': 'b2f0c3d1-ct00-4e5f-8a9b-0c1d2e3f4a5b',
  });
  res.end(JSON.stringify({ __type: type, message }));
}

export async function startCloudTrailProxy(target: string): Promise<CloudTrailProxy> {
  const t = new URL(target);
  const history = new Map<string, FiledEvent[]>();
  const accountOfKey = new Map<string, string>();
  const throttled = new Map<string, number>();
  const denied = new Set<string>();
  const hanging = new Set<string>();
  const held = new Set<import('node:http').ServerResponse>();
  const lookups: LookupRequest[] = [];
  let forwarded = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const auth = String(req.headers.authorization ?? '');
      const keyId = /Credential=([^/]+)\//.exec(auth)?.[1];
      const region = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(auth)?.[1] ?? 'us-east-1';
      const op = TARGET.exec(String(req.headers['x-amz-target'] ?? ''))?.[1];
      if (!op) {
        forwarded++;
        const text = body.toString('utf8');
        const assumed = new URLSearchParams(text).get('Action') === 'AssumeRole';
        const roleAccount = assumed
          ? /^arn:[^:]+:iam::(\d{12}):/.exec(new URLSearchParams(text).get('RoleArn') ?? '')?.[1]
          : undefined;
        forward(t, req, body, res, (answer) => {
          const key = tag(answer.toString('utf8'), 'AccessKeyId');
          if (key && roleAccount) accountOfKey.set(key, roleAccount);
        });
        return;
      }
      const account = (keyId && accountOfKey.get(keyId)) || MOTO_DEFAULT_ACCOUNT;
      let input: Json;
      try {
        input = JSON.parse(body.toString('utf8') || '{}') as Json;
      } catch {
        return jsonError(
          res,
          'SerializationException',
          'Start of structure or map found where not expected.',
        );
      }
      lookups.push({ account, region, body: input, at: performance.now() });
      if (op !== 'LookupEvents')
        return jsonError(res, 'UnsupportedOperationException', `${op} is not served here.`);
      if (denied.has(account)) {
        return jsonError(
          res,
          'AccessDeniedException',
          `User: arn:aws:sts::${account}:assumed-role/ecs-pull-diagnostics/e2e is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action`,
        );
      }
      if (hanging.has(account)) {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      const left = throttled.get(account) ?? 0;
      if (left > 0) {
        throttled.set(account, left - 1);
        return jsonError(res, 'ThrottlingException', 'Rate exceeded');
      }
      const attrs = (input.LookupAttributes as Array<{ AttributeKey: string; AttributeValue: string }>) ?? [];
      if (attrs.length > 1) {
        return jsonError(
          res,
          'InvalidLookupAttributesException',
          'You cannot specify more than one lookup attribute.',
        );
      }
      const max = input.MaxResults === undefined ? 50 : Number(input.MaxResults);
      if (!(max >= 1 && max <= 50)) {
        return jsonError(
          res,
          'InvalidMaxResultsException',
          'The maximum number of results is out of range: 1 to 50.',
        );
      }
      const start = input.StartTime === undefined ? Number.NEGATIVE_INFINITY : Number(input.StartTime) * 1000;
      const end = input.EndTime === undefined ? Number.POSITIVE_INFINITY : Number(input.EndTime) * 1000;
      if (start > end)
        return jsonError(res, 'InvalidTimeRangeException', 'Start time must be before end time.');
      const a = attrs[0];
      const matches = (e: FiledEvent): boolean => {
        if (!a) return true;
        const r = e.record;
        switch (a.AttributeKey) {
          case 'ResourceName':
            return e.resources.some((x) => x.name === a.AttributeValue);
          case 'ResourceType':
            return e.resources.some((x) => x.type === a.AttributeValue);
          case 'EventName':
            return r.eventName === a.AttributeValue;
          case 'EventSource':
            return r.eventSource === a.AttributeValue;
          case 'EventId':
            return r.eventID === a.AttributeValue;
          case 'ReadOnly':
            return String(r.readOnly ?? false) === a.AttributeValue;
          default:
            return false;
        }
      };
      const all = (history.get(`${account}|${region}`) ?? [])
        .filter((e) => {
          const time = Date.parse(String(e.record.eventTime));
          return time >= start && time <= end && matches(e);
        })
        .sort((x, y) => Date.parse(String(y.record.eventTime)) - Date.parse(String(x.record.eventTime)));
      const from = input.NextToken ? Number(Buffer.from(String(input.NextToken), 'base64').toString()) : 0;
      const page = all.slice(from, from + max);
      const next = from + max < all.length ? Buffer.from(String(from + max)).toString('base64') : undefined;
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': 'b2f0c3d1-ct00-4e5f-8a9b-0c1d2e3f4a5b',
      });
      res.end(
        JSON.stringify({
          Events: page.map((e) => lookupEvent(e.record, e.resources)),
          ...(next ? { NextToken: next } : {}),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    add(account, region, record, resources) {
      const key = `${account}|${region}`;
      history.set(key, [...(history.get(key) ?? []), { record, resources }]);
    },
    lookups,
    forwarded: () => forwarded,
    throttle(account, times) {
      throttled.set(account, times);
    },
    deny(account) {
      denied.add(account);
    },
    hang(account) {
      hanging.add(account);
    },
    reset() {
      lookups.length = 0;
      forwarded = 0;
      throttled.clear();
      denied.clear();
      hanging.clear();
      for (const r of held) r.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of held) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
