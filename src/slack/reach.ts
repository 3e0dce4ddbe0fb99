/**
 * What went wrong when the app or `doctor` talked to Slack's Web API: Slack could not be reached (DNS, a refused
 * connection, TLS, an HTTP error from something in between) or Slack answered and refused (the token, mostly).
 * The start-up line and doctor's rows say which, with the URL and the error, instead of a stack trace.
 */

/** Slack's Web API when slack.apiUrl is not set (what @slack/web-api uses). */
export const SLACK_API_URL = 'https://slack.com/api/';

export type SlackFailure =
  | { kind: 'unreachable'; error: string }
  | { kind: 'refused'; error: string }
  | { kind: 'other'; error: string };

/** TLS failures: the handshake (OpenSSL) or the certificate. */
const tlsCode = /^(?:ERR_SSL_|ERR_TLS_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/;

/** The network error under fetch's "fetch failed", in a few words: `ENOTFOUND getaddrinfo ENOTFOUND host`. */
function networkError(err: unknown): string {
  let e = err as { cause?: unknown; code?: unknown; message?: unknown; errors?: unknown[] } | undefined;
  // WebAPIRequestError → original (TypeError: fetch failed) → cause (the socket's error).
  for (let i = 0; i < 4 && e?.cause; i++) e = e.cause as typeof e;
  const first = Array.isArray(e?.errors) ? (e.errors[0] as typeof e) : undefined;
  const code = typeof e?.code === 'string' ? e.code : typeof first?.code === 'string' ? first.code : '';
  const message = String((e?.message || first?.message) ?? '').split('\n')[0]!;
  if (tlsCode.test(code)) return `TLS ${code}`;
  if (!code) return message || 'request failed';
  return message.includes(code) ? message : `${code} ${message}`.trim();
}

/** Classifies an error thrown by a @slack/web-api call (or by Bolt starting, which makes those calls). */
export function slackFailure(err: unknown): SlackFailure {
  const e = err as {
    code?: unknown;
    data?: { error?: unknown };
    statusCode?: unknown;
    original?: unknown;
    message?: unknown;
  };
  switch (e?.code) {
    case 'slack_webapi_request_error':
      return { kind: 'unreachable', error: networkError(e.original ?? err) };
    case 'slack_webapi_http_error':
      return { kind: 'unreachable', error: `HTTP ${String(e.statusCode ?? '?')}` };
    case 'slack_webapi_platform_error':
      return { kind: 'refused', error: String(e.data?.error ?? 'error') };
    default:
      return { kind: 'other', error: String(e?.message ?? err) };
  }
}
