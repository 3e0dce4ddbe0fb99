/**
 * The client pool keeps one client set per (account, region, requester) and one role session per requester: both
 * are LRU-bounded, so a bot asked by many people holds at most maxEntries of each (the memory benchmark measures
 * about 150 kB of heap per client set). Nothing here reaches the network: clients are only built.
 */
import { describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/aws/clients.js';
import { STATIC_CREDENTIALS, unitConfig } from '../helpers/unit.js';

describe('ClientPool bounds', () => {
  it('holds at most maxEntries client sets, the most recently used', () => {
    const pool = new ClientPool(unitConfig(), {
      baseCredentials: async () => STATIC_CREDENTIALS,
      maxEntries: 8,
    });
    const first = pool.get('210987654321', 'eu-west-1', 'aws', 'slack-T1-U0');
    for (let i = 1; i < 50; i++) {
      pool.get('210987654321', 'eu-west-1', 'aws', `slack-T1-U${i}`);
      // U0 keeps asking: it stays.
      if (i % 4 === 0) expect(pool.get('210987654321', 'eu-west-1', 'aws', 'slack-T1-U0')).toBe(first);
    }
    expect(pool.size).toBe(8);
    expect(pool.get('210987654321', 'eu-west-1', 'aws', 'slack-T1-U0')).toBe(first);
    // An evicted requester gets a new set.
    const again = pool.get('210987654321', 'eu-west-1', 'aws', 'slack-T1-U1');
    expect(pool.size).toBe(8);
    expect(again).toBeDefined();
  });
});
