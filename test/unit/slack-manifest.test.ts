/**
 * manifest.yml asks for exactly the scopes and events the code uses: the Web API methods called under
 * src/slack/, the listeners registered, the command and shortcut ids, the App Home, the unfurl domains the console
 * links parser accepts, the Workflow Builder step with the inputs and outputs the code reads and gives, Socket
 * Mode on.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { consoleTaskLink } from '../../src/aws/task-links.js';
import { COMMAND } from '../../src/slack/commands/ecs-pull.js';
import { STEP_CALLBACK_ID } from '../../src/slack/functions/diagnose-step.js';
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
  // A modal opened from an interaction, the Home tab: "No scope required".
  'views.open': [],
  'views.publish': [],
  'chat.unfurl': ['links:write'],
  // The person's channels the bot can see, public and private (types public_channel,private_channel).
  'users.conversations': ['channels:read', 'groups:read'],
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
  // The Home tab: "No scope required".
  "app.event('app_home_opened'": { scopes: [], events: ['app_home_opened'] },
  "app.event('link_shared'": { scopes: ['links:read'], events: ['link_shared'] },
  // The app's DM (message.im, filtered on channel_type im).
  'app.message(': { scopes: ['im:history'], events: ['message.im'] },
  // Custom steps: the event needs no scope; complete/fail use the workflow token.
  'app.function(': { scopes: [], events: ['function_executed'] },
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

  it('has a Home tab and a Messages tab people can write in', () => {
    expect(manifest.features.app_home).toEqual({
      home_tab_enabled: true,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: false,
    });
  });

  it('unfurls the console and access portal domains whose task links the parser reads, and only those', () => {
    expect(manifest.features.unfurl_domains).toEqual(['console.aws.amazon.com', 'awsapps.com']);
    const task = '3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b';
    const console_ = `https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/web/tasks/${task}/configuration?region=eu-west-1`;
    const portal = `https://my-org.awsapps.com/start/#/console?account_id=210987654321&role_name=R&destination=${encodeURIComponent(console_)}`;
    for (const url of [console_, portal]) {
      expect(consoleTaskLink(url)?.id).toBe(task);
      const host = new URL(url).hostname;
      expect(
        manifest.features.unfurl_domains.some((d: string) => host === d || host.endsWith(`.${d}`)),
        host,
      ).toBe(true);
    }
  });

  it('declares the Workflow Builder step with the inputs the code reads and the outputs it gives', () => {
    expect(Object.keys(manifest.functions)).toEqual([STEP_CALLBACK_ID]);
    const fn = manifest.functions[STEP_CALLBACK_ID];
    expect(fn.title).toBe('Diagnose an ECS task');
    const step = readFileSync(join(root, 'src', 'slack', 'functions', 'diagnose-step.ts'), 'utf8');
    const inputs = Object.keys(fn.input_parameters).sort();
    expect(inputs).toEqual(['channel', 'language', 'task']);
    for (const name of inputs) {
      expect(step, name).toContain(`inputs.${name}`);
      expect(fn.input_parameters[name].name).toBe(name);
    }
    expect(fn.input_parameters.task).toMatchObject({ type: 'string', is_required: true });
    expect(fn.input_parameters.channel).toMatchObject({
      type: 'slack#/types/channel_id',
      is_required: false,
    });
    const outputs = fn.output_parameters;
    expect(Object.keys(outputs).sort()).toEqual(['cause_id', 'confidence', 'report_url', 'summary']);
    for (const name of Object.keys(outputs)) {
      expect(step, name).toMatch(new RegExp(`\\b${name}\\??:`));
      expect(outputs[name].name).toBe(name);
    }
    expect(outputs.confidence.type).toBe('integer');
    expect(outputs.report_url.is_required).toBe(false);
    // Custom steps run in the app (not on Slack's runtime) and need an org-ready app.
    expect(manifest.settings.function_runtime).toBe('remote');
    expect(manifest.settings.org_deploy_enabled).toBe(true);
  });
});
