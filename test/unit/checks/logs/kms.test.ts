import { describe, expect, it } from 'vitest';
import { logKmsCheck } from '../../../../src/diagnosis/checks/logs/kms.js';
import { english, evidenceText, loadFacts, runCheck } from '../../../helpers/checks.js';
import { withLogs } from '../../../helpers/start-facts.js';

const KEY = 'arn:aws:kms:eu-south-1:210987654321:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

describe('logs.kms: a log group encrypted with a KMS key has the key enabled', () => {
  it('passes with an enabled key, reminding that the key policy must let CloudWatch Logs use it', async () => {
    const r = await runCheck(
      logKmsCheck,
      withLogs({ group: { kmsKeyId: KEY, key: { arn: KEY, state: 'Enabled', manager: 'CUSTOMER' } } }),
    );
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain('logs.eu-south-1.amazonaws.com');
  });

  it('fails a disabled key, pointing at log-configuration', async () => {
    const r = await runCheck(
      logKmsCheck,
      withLogs({
        group: { kmsKeyId: KEY, key: { arn: KEY, state: 'PendingDeletion', manager: 'CUSTOMER' } },
      }),
    );
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('log-configuration');
    expect(english(r.message)).toContain('PendingDeletion');
    expect(r.links.map((l) => l.kind)).toEqual(['kms-key', 'log-group']);
  });

  it('is unknown, naming kms:DescribeKey, when the key could not be described', async () => {
    const error = {
      kind: 'denied' as const,
      code: 'AccessDeniedException',
      message: 'no',
      action: 'kms:DescribeKey',
    };
    const r = await runCheck(logKmsCheck, withLogs({ group: { kmsKeyId: KEY, key: { arn: KEY, error } } }));
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('kms:DescribeKey');
  });

  it('is unknown for a key in an account this channel may not read', async () => {
    const other = 'arn:aws:kms:eu-south-1:999988887777:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
    const r = await runCheck(
      logKmsCheck,
      withLogs({ group: { kmsKeyId: other, key: { arn: other, notAllowed: true } } }),
    );
    expect(r.status).toBe('unknown');
    expect(english(r.message)).toContain('999988887777');
  });

  it('skips a group without a key of its own, and a diagnosis saved before log groups were read', async () => {
    expect((await runCheck(logKmsCheck, withLogs())).message.key).toBe('logs:kms.skip.no-key');
    expect((await runCheck(logKmsCheck, loadFacts('identity/healthy.json'))).message.key).toBe(
      'logs:kms.skip.not-gathered',
    );
  });
});
