/**
 * AWS failures as data. A gatherer never throws an SDK error past the fact layer: it becomes a FactError that
 * names the kind of failure and, for a denial, the IAM action that was missing.
 */
export type FactErrorKind =
  | 'denied'
  | 'not-found'
  | 'throttled'
  | 'timeout'
  | 'unavailable'
  | 'dependency'
  | 'not-applicable'
  | 'not-allowed'
  | 'error';

export interface FactError {
  kind: FactErrorKind;
  /** The AWS error code (AccessDeniedException, InvalidSubnetID.NotFound, …) or an internal code. */
  code: string;
  message: string;
  /** The IAM action of the failed call (ecs:DescribeTasks). */
  action?: string;
  /** For kind 'dependency': the fact this one needed. */
  fact?: string;
  /** For kind 'not-allowed': the account this request may not read. */
  account?: string;
}

const deniedCodes = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
  'NotAuthorized',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'AuthFailure',
]);
const throttledCodes = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'SlowDown',
]);
const notFoundCodes = new Set([
  'NoSuchEntity',
  'NoSuchEntityException',
  'RepositoryNotFoundException',
  'ImageNotFoundException',
  'LifecyclePolicyNotFoundException',
  'RepositoryPolicyNotFoundException',
  'ClusterNotFoundException',
  'ServiceNotFoundException',
  'ResourceNotFoundException',
  'ParameterNotFound',
  'NotFoundException',
]);
const timeoutCodes = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException']);
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
]);

/** Classifies anything an SDK call threw. */
export function classifyAwsError(err: unknown, action?: string): FactError {
  if (err instanceof NotAllowed) {
    return { kind: 'not-allowed', code: 'NotAllowed', message: err.message, account: err.account };
  }
  const e = (err ?? {}) as {
    name?: string;
    code?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
  };
  const status = e.$metadata?.httpStatusCode;
  let code = String(e.name && e.name !== 'Error' ? e.name : (e.code ?? e.Code ?? 'Error'));
  // A bare "Error"/"UnknownError" says nothing: the HTTP status at least tells a 500 from a 404.
  if ((code === 'Error' || code === 'UnknownError') && status) code = `HTTP${status}`;
  const message = String(e.message ?? err).slice(0, 500);
  const base = action ? { code, message, action } : { code, message };
  if (deniedCodes.has(code) || /not authorized to perform|is not authorized|access denied/i.test(message)) {
    return { kind: 'denied', ...base };
  }
  if (throttledCodes.has(code) || status === 429) return { kind: 'throttled', ...base };
  if (notFoundCodes.has(code) || /\.NotFound$|NotFound$/.test(code)) return { kind: 'not-found', ...base };
  if (timeoutCodes.has(code) || /timed? ?out|aborted/i.test(message)) return { kind: 'timeout', ...base };
  if (networkCodes.has(code) || (status !== undefined && status >= 500) || e.$fault === 'server') {
    return { kind: 'unavailable', ...base };
  }
  return { kind: 'error', ...base };
}

/** Thrown inside a fact provider when a fact it depends on is unavailable. */
export class DependencyError extends Error {
  constructor(
    readonly fact: string,
    readonly factError: FactError,
  ) {
    super(`fact ${fact} unavailable: ${factError.code}`);
    this.name = 'DependencyError';
  }
}

/** Thrown inside a fact provider for a fact that does not apply to this task (no service, no ENI id…). */
export class NotApplicable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'NotApplicable';
  }
}

/**
 * Thrown instead of calling AWS in an account the request may not read (a Slack channel's rules): the fact says
 * so, and no call, not even sts:AssumeRole, goes to that account.
 */
export class NotAllowed extends Error {
  constructor(readonly account: string) {
    super(`account ${account} may not be read by this request`);
    this.name = 'NotAllowed';
  }
}

/** Whether an SDK error is one of the given AWS error codes (the SDK names its errors after them). */
export function hasErrorCode(err: unknown, ...codes: string[]): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name !== undefined && codes.includes(name);
}
