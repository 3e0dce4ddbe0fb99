import { describe, expect, it } from 'vitest';
import { lifecycleVerdict, tagSelection } from '../../../../src/diagnosis/checks/shared/lifecycle.js';
import type { LifecycleRule } from '../../../../src/diagnosis/facts/ecr.js';

const rule = (r: Partial<LifecycleRule> & { rulePriority: number }): LifecycleRule => ({
  tagStatus: 'tagged',
  countType: 'imageCountMoreThan',
  countNumber: 2,
  action: 'expire',
  ...r,
});
const img = (tags: string[], status = 'ACTIVE') => ({ tags, status, pushedAt: '2026-11-01T00:00:00.000Z' });

describe('ECR lifecycle evaluation: which rule could have removed a tag', () => {
  it('a list of prefixes or patterns selects an image only when its tags cover every entry', () => {
    const r = rule({ rulePriority: 1, tagPrefixList: ['v', 'prod'] });
    expect(tagSelection(r, ['v1.2'])).toBe('part');
    expect(tagSelection(r, ['v1.2', 'prod-eu'])).toBe('all');
    expect(tagSelection(r, ['latest'])).toBe('none');
    const p = rule({ rulePriority: 1, tagPatternList: ['release-*-eu', '*'] });
    expect(tagSelection(p, ['release-7-eu'])).toBe('all');
    expect(tagSelection(p, ['release-7-us'])).toBe('part');
    expect(tagSelection(rule({ rulePriority: 1, tagStatus: 'untagged' }), ['v1'])).toBe('none');
    expect(tagSelection(rule({ rulePriority: 1, tagStatus: 'any' }), ['v1'])).toBe('all');
  });

  it('the first rule in priority order whose selection the tag meets owns the image', () => {
    const keepProd = rule({ rulePriority: 1, tagPrefixList: ['prod'], countNumber: 1000 });
    const expireAll = rule({
      rulePriority: 9,
      tagStatus: 'any',
      countType: 'sinceImagePushed',
      countNumber: 7,
    });
    expect(lifecycleVerdict([expireAll, keepProd], 'prod-42')?.rule).toBe(keepProd);
    expect(lifecycleVerdict([expireAll, keepProd], 'dev-42')?.rule).toBe(expireAll);
    expect(lifecycleVerdict([rule({ rulePriority: 1, tagStatus: 'untagged' })], 'v1')).toBeUndefined();
  });

  it('counts the images a count rule keeps now, leaving out those an earlier rule claims and archived ones', () => {
    const keepLatest = rule({ rulePriority: 1, tagPatternList: ['latest'], countNumber: 1 });
    const releases = rule({ rulePriority: 2, tagPrefixList: ['v'], countNumber: 2 });
    const images = [img(['v3', 'latest']), img(['v2']), img(['v1'], 'ARCHIVED')];
    expect(lifecycleVerdict([keepLatest, releases], 'v0', images)).toMatchObject({
      rule: releases,
      certainty: 'certain',
      selectedNow: 1,
      atLimit: false,
    });
    expect(lifecycleVerdict([releases], 'v0', images)).toMatchObject({ selectedNow: 2, atLimit: true });
  });

  it('tells archiving rules from deleting ones, and ignores rules on archived images', () => {
    const archive = rule({ rulePriority: 1, tagPrefixList: ['v'], action: 'transition' });
    expect(lifecycleVerdict([archive], 'v1')?.effect).toBe('archive');
    const archived = rule({ rulePriority: 1, tagPrefixList: ['v'], storageClass: 'archive' });
    expect(lifecycleVerdict([archived], 'v1')).toBeUndefined();
  });
});
