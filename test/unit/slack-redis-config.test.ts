/** The `redis` configuration key: REDIS_URL, validation that names the key and never echoes a password. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isUserError } from '../../src/errors.js';
import { translator } from '../../src/i18n.js';
import { redisEndpoint } from '../../src/state/shared.js';

describe('redis configuration', () => {
  it('is off by default, with the default key prefix', () => {
    expect(loadConfig({}).redis).toEqual({ keyPrefix: 'ecs-pull:' });
  });

  it('takes REDIS_URL (redis:// and rediss://)', () => {
    expect(loadConfig({ REDIS_URL: 'redis://10.0.3.4:6379/2' }).redis.url).toBe('redis://10.0.3.4:6379/2');
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@cache.example.internal:6380' }).redis.url).toBe(
      'rediss://:pw@cache.example.internal:6380',
    );
  });

  it('refuses anything else, naming the key but not the value', () => {
    for (const bad of ['http://cache:6379', 'redis:nohost', 'not a url :secretpw']) {
      const err = (() => {
        try {
          loadConfig({ REDIS_URL: bad });
        } catch (e) {
          return e;
        }
      })();
      expect(isUserError(err), bad).toBe(true);
      const params = (err as { params: Record<string, string> }).params;
      expect(params.key).toBe('redis.url');
      expect(params.reason).toBe('redis-url');
      // Set by REDIS_URL: the message names the variable, never its value (it may carry a password).
      const line = translator('en')((err as { key: string }).key, params);
      expect(line).toBe('Invalid value in the environment: REDIS_URL must be a redis:// or rediss:// URL.');
      expect(JSON.stringify(params)).not.toContain('secretpw');
    }
  });

  it('names an endpoint in logs without its password', () => {
    expect(redisEndpoint('rediss://default:s3cr3t@cache.example.internal:6380/1')).toBe(
      'rediss://cache.example.internal:6380/1',
    );
    expect(redisEndpoint('redis://127.0.0.1')).toBe('redis://127.0.0.1');
  });
});
