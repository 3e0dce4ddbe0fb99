/** Property tests: whatever people paste, the task-reference parser answers with a target or a UserError. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTaskTarget } from '../../src/aws/target.js';
import { isUserError } from '../../src/errors.js';
import { translator } from '../../src/i18n.js';

const hex = fc.constantFrom(...'0123456789abcdef'.split(''));
const taskId = fc.oneof(fc.string({ unit: hex, minLength: 32, maxLength: 32 }), fc.uuid({ version: 4 }));
const cluster = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
const region = fc.constantFrom(
  'eu-west-1',
  'eu-south-1',
  'us-east-1',
  'ap-southeast-2',
  'cn-north-1',
  'us-gov-west-1',
);
const account = fc.stringMatching(/^\d{12}$/);
const wrap = fc.constantFrom(
  (s: string) => s,
  (s: string) => `<${s}>`,
  (s: string) => `<${s}|task>`,
  (s: string) => ` ${s}. `,
  (s: string) => `"${s}",`,
  (s: string) => `(${s})`,
);

function partitionOf(r: string): string {
  return r.startsWith('cn-') ? 'aws-cn' : r.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

describe('parseTaskTarget properties', () => {
  it('never throws anything but a UserError, and every error has words in both languages', () => {
    const en = translator('en');
    const it_ = translator('it');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string().map((s) => `arn:aws:ecs:${s}`),
        ),
        (input) => {
          try {
            parseTaskTarget(input);
          } catch (err) {
            expect(isUserError(err)).toBe(true);
            if (isUserError(err)) {
              expect(en(err.key, err.params)).not.toBe(err.key);
              expect(it_(err.key, err.params)).not.toBe(err.key);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('round-trips every valid ARN, however it is wrapped', () => {
    fc.assert(
      fc.property(region, account, cluster, taskId, wrap, (r, a, c, id, w) => {
        const arn = `arn:${partitionOf(r)}:ecs:${r}:${a}:task/${c}/${id}`;
        const t = parseTaskTarget(w(arn));
        expect(t).toMatchObject({ region: r, account: a, cluster: c, taskId: id, taskArn: arn });
      }),
      { numRuns: 500 },
    );
  });
});
