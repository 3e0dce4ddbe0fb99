/**
 * Preloaded with `node --import` by test/e2e/startup.test.ts: writes to $ECS_PULL_TRACE, one line each, in order, the
 * packages the process loads (`pkg @aws-sdk/client-ec2`) and each HTTP request it starts (`http POST /`), so that a
 * test can tell what a command loaded, and what it loaded before its first AWS request.
 */
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.ECS_PULL_TRACE;
if (file) {
  const seen = new Set();
  const note = (line) => appendFileSync(file, `${line}\n`);
  registerHooks({
    load(url, context, nextLoad) {
      const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
      if (m && !seen.has(m[1])) {
        seen.add(m[1]);
        note(`pkg ${m[1]}`);
      }
      return nextLoad(url, context);
    },
  });
  subscribe('http.client.request.start', ({ request }) => note(`http ${request.method} ${request.path}`));
}
