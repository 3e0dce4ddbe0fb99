/**
 * The benchmark's Slack: a process of its own that sends the signed slash commands all at once and reports each
 * acknowledgement's status and time. Kept apart from the Slack Web API stand-in and the AWS proxy, which are busy
 * while the answers are worked out, so that their load does not count as the app's ack time.
 * Requests go over node:http with connections opened beforehand, as a fleet of senders keeps them: measured from
 * the first byte written to the last byte of the response, after a first, unmeasured burst of `help` commands (a
 * bot in service is warm). (fetch's client costs a few ms of its own per request
 * when hundreds start at once, which would be counted against the app.)
 * Input (stdin, JSON): { appUrl, secret, commands: [{ text, channel_id, user_id, response_url }] }.
 * Output (stdout, JSON): [{ status, ms }] in the same order.
 */
import { Agent, request } from 'node:http';
import { type SignOptions, type SlackPost, SlackSender, sign } from '../test/helpers/slack-requests.js';

interface Job {
  appUrl: string;
  secret: string;
  commands: Array<{ text: string; channel_id: string; user_id: string; response_url: string }>;
}

class HttpSender extends SlackSender {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 512 });

  send(method: string, path: string, body: string, headers: Record<string, string>): Promise<SlackPost> {
    const u = new URL(this.appUrl);
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          method,
          path,
          agent: this.agent,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => {
            text += String(d);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: text, ms: performance.now() - started }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  override post(body: string, contentType: string, o: SignOptions = {}): Promise<SlackPost> {
    const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
    return this.send('POST', '/slack/events', body, {
      'content-type': contentType,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': sign(o.secret ?? this.secret, ts, body),
    });
  }
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const job = JSON.parse(Buffer.concat(chunks).toString()) as Job;
  const send = new HttpSender(job.appUrl, job.secret);
  // Open as many connections as there will be requests in flight (health checks), before the clock starts.
  await Promise.all(job.commands.map(() => send.send('GET', '/healthz', '', {})));
  // A bot in service has answered many requests since it started (its code is compiled and optimized): one burst
  // of `help` commands first, not measured, and a pause for their answers.
  await Promise.all(
    job.commands.map((c, i) =>
      send.command({ ...c, text: 'help', channel_id: `C0WARMUP${String(i).padStart(4, '0')}` }),
    ),
  );
  await new Promise((r) => setTimeout(r, 3_000));
  const acks = await Promise.all(job.commands.map((c) => send.command(c)));
  process.stdout.write(JSON.stringify(acks.map((a) => ({ status: a.status, ms: a.ms }))));
  send.agent.destroy();
}

void main();
