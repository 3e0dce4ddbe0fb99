/**
 * The stopped reason without what differs between tasks failing for one cause: what the alert storm groups alerts
 * by (slack/storm.ts) and the service diagnosis groups a service's stopped tasks by (diagnosis/service.ts).
 */

/**
 * The stopped reason without what differs between tasks failing for one cause: IP addresses and ports, retry
 * counts, ids (task, request, ENI, hex digests) and timestamps. Image references, hosts and error words stay.
 */
export function normalizeStopReason(reason: string | undefined): string {
  if (!reason) return '';
  return reason
    .replace(/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>')
    .replace(/\[[0-9a-f:]+\](?::\d+)?/gi, '<ip>')
    .replace(/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<ip>')
    .replace(/\bretried \d+ time\(s\)/g, 'retried <n> time(s)')
    .replace(/\b(?:request ?id|requestid|x-amz-request-id)[:=\s]+[\w-]+/gi, 'request id <id>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/\b(?:eni|sg|subnet)-[0-9a-f]{8,17}\b/g, (m) => `${m.split('-')[0]}-<id>`)
    .replace(/\bsha256:[0-9a-f]{64}\b/g, 'sha256:<digest>')
    .replace(/\b[0-9a-f]{32}\b/g, '<id>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}
