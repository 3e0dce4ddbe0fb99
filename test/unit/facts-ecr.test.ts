/** The pure parts of the ECR facts: reading manifests, image details, tags and lifecycle policies as ECR returns them. */
import { describe, expect, it } from 'vitest';
import {
  childFor,
  imageDetailOf,
  imageSize,
  lifecycleRules,
  nearNames,
  schema1Platform,
  taggedImagesOf,
} from '../../src/diagnosis/facts/ecr.js';

describe('imageSize: compressed bytes of a single-platform manifest', () => {
  it('adds the config to every layer', () => {
    expect(imageSize({ config: { size: 1_000 }, layers: [{ size: 10 }, { size: 20 }] })).toBe(1_030);
  });
  it('is unknown without layers (an index, or an unreadable manifest)', () => {
    expect(imageSize({ manifests: [] })).toBeUndefined();
    expect(imageSize(undefined)).toBeUndefined();
  });
});

describe('childFor: the index entry of the task platform', () => {
  const entries = [
    { digest: 'sha256:amd', platform: { os: 'linux', architecture: 'amd64' } },
    { digest: 'sha256:arm', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { digest: 'sha256:att', platform: { os: 'unknown', architecture: 'unknown' } },
  ];
  it('matches OS and architecture', () => {
    expect(childFor(entries, { os: 'linux', architecture: 'arm64' })?.digest).toBe('sha256:arm');
  });
  it('is undefined when the index lacks the platform', () => {
    expect(childFor(entries, { os: 'windows', architecture: 'amd64' })).toBeUndefined();
  });
});

describe('schema1Platform: the platform ECR’s schema 1 conversion states', () => {
  it('takes the architecture and the OS of the first history entry', () => {
    const text = JSON.stringify({
      schemaVersion: 1,
      architecture: 'arm64',
      history: [{ v1Compatibility: JSON.stringify({ os: 'linux' }) }],
    });
    expect(schema1Platform(text)).toEqual({ os: 'linux', architecture: 'arm64' });
  });
  it('keeps linux when the history cannot be read, and refuses other schema versions', () => {
    expect(
      schema1Platform(
        JSON.stringify({ schemaVersion: 1, architecture: 'amd64', history: [{ v1Compatibility: '{' }] }),
      ),
    ).toEqual({
      os: 'linux',
      architecture: 'amd64',
    });
    expect(schema1Platform(JSON.stringify({ schemaVersion: 2, architecture: 'amd64' }))).toBeUndefined();
    expect(schema1Platform('not json')).toBeUndefined();
  });
});

describe('imageDetailOf: what DescribeImages says of a found image', () => {
  it('keeps digest, tags, size, push time, media type, and the archive status only when set', () => {
    expect(
      imageDetailOf({
        imageDigest: 'sha256:abc',
        imageTags: ['2.14.0'],
        imageSizeInBytes: 123,
        imagePushedAt: new Date('2026-11-28T06:00:00.000Z'),
        imageManifestMediaType: 'application/vnd.oci.image.index.v1+json',
      }),
    ).toEqual({
      digest: 'sha256:abc',
      tags: ['2.14.0'],
      sizeInBytes: 123,
      pushedAt: '2026-11-28T06:00:00.000Z',
      manifestMediaType: 'application/vnd.oci.image.index.v1+json',
    });
    expect(
      imageDetailOf({ imageStatus: 'ARCHIVED', lastArchivedAt: new Date('2026-11-01T00:00:00.000Z') }),
    ).toMatchObject({ tags: [], status: 'ARCHIVED', archivedAt: '2026-11-01T00:00:00.000Z' });
  });
});

describe('taggedImagesOf: the repository’s tags, pushed last first', () => {
  it('drops untagged images and orders by push time, newest first', () => {
    expect(
      taggedImagesOf([
        { imageTags: ['1.0'], imagePushedAt: new Date('2026-01-01T00:00:00Z') },
        { imageTags: [], imagePushedAt: new Date('2026-12-01T00:00:00Z') },
        {
          imageTags: ['2.0', 'latest'],
          imagePushedAt: new Date('2026-06-01T00:00:00Z'),
          imageStatus: 'ARCHIVED',
        },
        { imageTags: ['0.9'] },
      ]),
    ).toEqual([
      { tags: ['2.0', 'latest'], pushedAt: '2026-06-01T00:00:00.000Z', status: 'ARCHIVED' },
      { tags: ['1.0'], pushedAt: '2026-01-01T00:00:00.000Z' },
      { tags: ['0.9'] },
    ]);
  });
});

describe('lifecycleRules: a lifecycle policy as the evaluator reads it', () => {
  it('reads selection and action, leaving out what the rule does not say', () => {
    const text = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: 'keep 2 releases',
          selection: {
            tagStatus: 'tagged',
            tagPrefixList: ['v'],
            countType: 'imageCountMoreThan',
            countNumber: 2,
          },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 },
          action: { type: 'transition' },
        },
      ],
    });
    expect(lifecycleRules(text)).toEqual([
      {
        rulePriority: 1,
        description: 'keep 2 releases',
        tagStatus: 'tagged',
        tagPrefixList: ['v'],
        countType: 'imageCountMoreThan',
        countNumber: 2,
        action: 'expire',
      },
      {
        rulePriority: 2,
        tagStatus: 'any',
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: 30,
        action: 'transition',
      },
    ]);
  });
  it('is empty for no policy or an unreadable one', () => {
    expect(lifecycleRules(undefined)).toEqual([]);
    expect(lifecycleRules('{')).toEqual([]);
  });
});

describe('nearNames: repositories a missing one may have meant', () => {
  it('closest first, at most three, by edit distance or containment', () => {
    // chekout: one letter dropped; checkuot: two swapped (two edits); checkout-api: contains it.
    expect(nearNames('checkout', ['checkout-api', 'checkuot', 'payments', 'chekout', 'checkout'])).toEqual([
      'chekout',
      'checkuot',
      'checkout-api',
    ]);
    expect(nearNames('checkout', ['payments', 'orders'])).toEqual([]);
  });
});
