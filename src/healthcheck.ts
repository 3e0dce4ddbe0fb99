#!/usr/bin/env node
/**
 * The container health check (Dockerfile HEALTHCHECK, ECS task definition): asks the running app's /healthz on
 * its own port. Exit 0 when healthy, 1 otherwise. Reads the port from the same configuration as the app.
 */
import { loadConfig } from './config.js';

let port = 3000;
try {
  port = loadConfig().slack.port;
} catch {
  // A broken configuration means the app is not running properly either: the request below fails.
}
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3000) })
  .then((res) => {
    process.exitCode = res.ok ? 0 : 1;
  })
  .catch(() => {
    process.exitCode = 1;
  });
