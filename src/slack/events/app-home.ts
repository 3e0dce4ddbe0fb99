/**
 * The App Home tab: each visit (app_home_opened on the Home tab, each delivery once) publishes the person's tab,
 * and marks them as someone whose tab follows their history (home.ts). Opening the Messages tab publishes nothing.
 */
import type { App } from '@slack/bolt';
import { firstDelivery } from '../dedupe.js';
import type { SlackDeps } from '../deps.js';
import { guarded } from '../guard.js';
import { markHomeOpened, publishHome } from '../home.js';
import type { SlackClient } from '../reply.js';

interface AppHomeOpened {
  type: 'app_home_opened';
  user: string;
  channel?: string;
  tab?: 'home' | 'messages';
}

export async function handleHomeOpened(
  deps: SlackDeps,
  event: AppHomeOpened,
  body: { event_id?: unknown },
  context: { retryNum?: number; retryReason?: string },
  client: SlackClient,
): Promise<void> {
  if (event.tab !== 'home' || !event.user) return;
  if (!(await firstDelivery(deps, body, context))) return;
  await guarded(
    deps,
    'home',
    () => deps.config.defaultLanguage,
    // Nowhere to tell: the tab itself is what failed. The log has it.
    undefined,
    async () => {
      await markHomeOpened(deps, event.user);
      await publishHome(deps, client, event.user, { waitForDoctor: true });
    },
  );
}

export function registerAppHome(app: App, deps: SlackDeps): void {
  app.event('app_home_opened', async ({ event, body, context, client }) => {
    await deps.burst?.settled();
    await handleHomeOpened(deps, event as AppHomeOpened, body, context, client);
  });
}
