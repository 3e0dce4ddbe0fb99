/**
 * manifest.yml asks for exactly the scopes and events the code uses: the Web API methods called under
 * src/slack/, the listeners registered, the command and shortcut ids, Socket Mode on.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMAND } from '../../src/slack/commands/ecs-pull.js';
import { SHORTCUT_CALLBACK_ID } from '../../src/slack/shortcuts/diagnose-message.js';

const root = join(import.meta.dirname, '..', '..');
const manifest = parse(readFileSync(join(root, 'manifest.yml'), 'utf8'));

function sources(dir: string): string {
  return readdirSync(dir)
    .map((f) => join(dir, f))
    .map((p) => (statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? readFileSync(p, 'utf8') : ''))
    .join('\n');
}
const code = sources(join(root, 'src', 'slack'));

/** Bot scopes each Web API method needs (Slack's method reference), for public and private channels. */
const methodScopes: Record<string, string[]> = {
  'chat.postMessage': ['chat:write', 'chat:write.public'],
  'chat.update': ['chat:write'],
  // Neither needs a scope (Slack's method reference: "No scope required").
  'chat.getPermalink': [],
  'auth.test': [],
  'users.info': ['users:read'],
  'conversations.replies': ['channels:history', 'groups:history'],
  'conversations.history': ['channels:history', 'groups:history'],
  // A modal opened from an interaction: "No scope required".
  'views.open': [],
};
/** Scopes and event subscriptions each listener kind needs. */
const listenerNeeds: Record<string, { scopes: string[]; events: string[] }> = {
  "app.event('message'": {
    scopes: ['channels:history', 'groups:history'],
    events: ['message.channels', 'message.groups'],
  },
  "app.event('app_mention'": { scopes: ['app_mentions:read'], events: ['app_mention'] },
  'app.command(': { scopes: ['commands'], events: [] },
  'app.shortcut': { scopes: ['commands'], events: [] },
};

describe('manifest.yml', () => {
  const methods = [...new Set([...code.matchAll(/client\.([a-z]+\.[a-zA-Z]+)\(/g)].map((m) => m[1]!))].sort();
  const listeners = Object.keys(listenerNeeds).filter((l) => code.includes(l));

  it('knows the scopes of every Web API method the app calls', () => {
    expect(methods.filter((m) => !methodScopes[m])).toEqual([]);
    expect(listeners.sort()).toEqual(Object.keys(listenerNeeds).sort());
  });

  it('requests exactly the scopes those methods and listeners need', () => {
    const needed = new Set([
      ...methods.flatMap((m) => methodScopes[m]!),
      ...listeners.flatMap((l) => listenerNeeds[l]!.scopes),
    ]);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('subscribes to exactly the events listened to', () => {
    const events = new Set(listeners.flatMap((l) => listenerNeeds[l]!.events));
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...events].sort());
  });

  it('declares the command and the shortcut the code handles, with Socket Mode and interactivity on', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([COMMAND]);
    expect(manifest.features.shortcuts).toEqual([
      expect.objectContaining({
        type: 'message',
        callback_id: SHORTCUT_CALLBACK_ID,
        name: 'Diagnose this alert',
      }),
    ]);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.bot_user.display_name).toBe('ecs-pull');
  });
});
