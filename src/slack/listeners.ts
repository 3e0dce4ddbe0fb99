/** Registers every Slack listener: one file per listener kind, each acknowledging first. */
import type { App } from '@slack/bolt';
import { registerFeedback } from './actions/feedback-actions.js';
import { registerActions } from './actions/report-actions.js';
import { registerWatch } from './actions/watch-actions.js';
import { registerCommand } from './commands/ecs-pull.js';
import type { SlackDeps } from './deps.js';
import { registerAlertMessages } from './events/alert-message.js';
import { registerMentions } from './events/app-mention.js';
import { registerShortcuts } from './shortcuts/diagnose-message.js';

export function registerListeners(app: App, deps: SlackDeps): void {
  // First in the chain: every request's arrival counts for the acknowledgements-first pacing (deps.burst). Only
  // Socket Mode sets deps.burst, and there every request came from Slack over the app's own authenticated
  // WebSocket; in HTTP mode the receiver counts a request once its signature has verified.
  app.use(async ({ next }) => {
    deps.burst?.arrived();
    await next();
  });
  registerCommand(app, deps);
  registerAlertMessages(app, deps);
  registerMentions(app, deps);
  registerShortcuts(app, deps);
  registerActions(app, deps);
  registerFeedback(app, deps);
  registerWatch(app, deps);
  app.error(async (err) => {
    deps.log.error({ err, code: (err as { code?: string }).code }, 'unhandled Slack listener error');
  });
}
