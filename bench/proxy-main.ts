/**
 * The latency proxy as its own process, so that its CPU time is not counted as the diagnosis'.
 * Usage: node proxy-main.js TARGET_URL LATENCY_MS — prints the proxy URL on its first line of output.
 */
import { startLatencyProxy } from './latency-proxy.js';

const [target, latency] = process.argv.slice(2);
const proxy = await startLatencyProxy(target!, Number(latency ?? 0));
process.stdout.write(`${proxy.url}\n`);
process.on('SIGTERM', () => {
  void proxy.close().then(() => process.exit(0));
});
