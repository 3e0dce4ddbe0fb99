/**
 * Errors a user can cause (a bad ARN, an account that is not configured, a bad config file). They carry a
 * message key and parameters, never a sentence: the surface that shows them translates.
 */
export class UserError extends Error {
  constructor(
    readonly key: string,
    readonly params: Record<string, string | number> = {},
    readonly exitCode = 2,
  ) {
    super(`${key} ${JSON.stringify(params)}`);
    this.name = 'UserError';
  }
}

/** True for a UserError, also across module copies. */
export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError || (err instanceof Error && err.name === 'UserError' && 'key' in err);
}
