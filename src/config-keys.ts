/**
 * The settings the configuration file may hold, as a tree of their names, and the first key of a file that is none
 * of them, with the one meant ("did you mean"). A misspelt key is the commonest mistake in a configuration file, and
 * finding it needs no validator: src/config.ts asks here before zod validates the values, and the command line asks
 * before it loads zod at all, so that a typo is refused in the time it takes to read the file.
 * test/unit/config.test.ts derives the same tree from the zod schema and holds the two equal.
 */
import { UserError } from './errors.js';
import { nearNames } from './near-names.js';

/** A setting's name → what it holds: null for a value, a tree for a mapping of settings. */
export interface SettingsTree {
  [key: string]: SettingsTree | null;
}
/** In a tree, `*`: any key (a record: accounts by id, channels by id); `[]`: the items of a list of mappings. */
export const ANY_KEY = '*';
export const ITEMS = '[]';

const identityCenter = { portalUrl: null, permissionSet: null };
const bucket = { burst: null, perMinute: null };

/** Every setting (README, "Configuration" and "Slack settings"). */
export const SETTINGS: SettingsTree = {
  defaultLanguage: null,
  roleNameTemplate: null,
  externalId: null,
  accounts: {
    [ANY_KEY]: {
      roleArn: null,
      externalId: null,
      defaultCredentials: null,
      name: null,
      identityCenter,
    },
  },
  identityCenter,
  aws: { callTimeoutMs: null, deadlineMs: null, maxAttempts: null, sessionDurationSeconds: null },
  registries: {
    probePublic: null,
    probeTimeoutMs: null,
    allow: { [ITEMS]: { host: null, authHosts: null } },
  },
  changes: { lookbackHours: null, afterMinutes: null, maxLookups: null },
  slack: {
    mode: null,
    botToken: null,
    appToken: null,
    signingSecret: null,
    apiUrl: null,
    port: null,
    maxBodyBytes: null,
    limits: { user: bucket, channel: bucket, account: bucket, maxAccountsPerRequest: null },
    alertSources: { botIds: null, appIds: null, channels: null },
    channels: { [ANY_KEY]: { language: null, accounts: null } },
    defaultAccounts: null,
    dm: { accounts: null },
    workflow: { accounts: null },
    admins: null,
  },
  redis: { url: null, keyPrefix: null },
  watch: { intervalSeconds: null, maxMinutes: null },
  log: { level: null },
};

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The settings a tree names (without its `*` and `[]`). */
function names(tree: SettingsTree): string[] {
  return Object.keys(tree).filter((k) => k !== ANY_KEY && k !== ITEMS);
}

/** The first key of `raw` (in the file's order, depth first) that is not a setting, with where it is. */
function firstUnknown(
  raw: unknown,
  tree: SettingsTree,
  path: string[],
): { path: string[]; key: string; known: string[] } | undefined {
  if (Array.isArray(raw)) {
    const items = tree[ITEMS];
    if (!items) return undefined;
    for (const item of raw) {
      const found = isMapping(item) ? firstUnknown(item, items, path) : undefined;
      if (found) return found;
    }
    return undefined;
  }
  if (!isMapping(raw)) return undefined;
  for (const [key, value] of Object.entries(raw)) {
    const sub = tree[ANY_KEY] ?? (Object.hasOwn(tree, key) ? tree[key] : undefined);
    if (sub === undefined) return { path, key, known: names(tree) };
    if (sub) {
      const found = firstUnknown(value, sub, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The error for the first key of a configuration that is not a setting (with the setting meant, when one is close),
 * or undefined when every key is one. `source` names the file in the message.
 */
export function unknownSetting(raw: unknown, source: string): UserError | undefined {
  const found = firstUnknown(raw, SETTINGS, []);
  if (!found) return undefined;
  const key = [...found.path, found.key].join('.');
  const near = nearNames(found.key, found.known)[0];
  if (near)
    return new UserError('config:unknown-key', {
      path: source,
      key,
      suggestion: [...found.path, near].join('.'),
    });
  return new UserError('config:unknown-key-none', {
    path: source,
    key,
    known: found.known.join(', ') || '—',
  });
}
