/**
 * Errors at the edge of a Slack listener: a user error becomes its localized line, anything else a short apology
 * with a correlation id that ties it to the log entry holding the details. Never a stack trace in Slack.
 *
 * Each request runs in a correlation scope (log.ts): every line logged while handling it carries the request's
 * id, and its first diagnosis takes that same id, so the apology names the id of the diagnosis' own lines.
 */
import type { Language } from '../config.js';
import { isUserError } from '../errors.js';
import { translator } from '../i18n.js';
import { type CorrelationScope, newScope, withCorrelation } from '../log.js';
import { say } from '../render/text.js';
import type { SlackDeps, Surface } from './deps.js';
import { userErrorMessage } from './diagnoser.js';

/**
 * Runs a listener body (tracked until it ends, so that shutdown can wait for it); on failure tells the person
 * through `tell` (in `lang()`), logging internal errors.
 */
export function guarded(
  deps: SlackDeps,
  surface: Surface,
  lang: () => Language,
  tell: ((text: string) => Promise<unknown>) | undefined,
  fn: () => Promise<void>,
): Promise<void> {
  const scope = newScope();
  const work = withCorrelation(scope, () => run(deps, scope, surface, lang, tell, fn));
  deps.inflight.add(work);
  return work.finally(() => deps.inflight.delete(work));
}

async function run(
  deps: SlackDeps,
  scope: CorrelationScope,
  surface: Surface,
  lang: () => Language,
  tell: ((text: string) => Promise<unknown>) | undefined,
  fn: () => Promise<void>,
): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const t = translator(lang());
    let text: string;
    if (isUserError(err)) {
      text = say(t, userErrorMessage(err, scope.id));
    } else {
      const others = scope.diagnoses.filter((d) => d !== scope.id);
      deps.log.error(
        { err, correlationId: scope.id, surface, ...(others.length ? { diagnoses: others } : {}) },
        'slack request failed',
      );
      text = t('slack:errors.internal', { id: scope.id });
    }
    if (!tell) return;
    try {
      await tell(text);
    } catch (err2) {
      deps.log.error({ err: err2, surface }, 'could not tell the user about an error');
    }
  }
}
