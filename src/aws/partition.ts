/** AWS partitions ecs-pull knows: their region prefixes, console hosts and the region IAM/STS live in. */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export const partitions: readonly Partition[] = ['aws', 'aws-cn', 'aws-us-gov'];

/** The partition a region belongs to. */
export function partitionOfRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The region global services (IAM) are called in for a partition. */
export function globalRegion(partition: Partition): string {
  switch (partition) {
    case 'aws-cn':
      return 'cn-north-1';
    case 'aws-us-gov':
      return 'us-gov-west-1';
    default:
      return 'us-east-1';
  }
}

/** Region names as AWS spells them: eu-west-1, us-gov-west-1, cn-northwest-1, ap-southeast-5. */
export const regionPattern = /^(?:[a-z]{2}|us-gov|cn)-[a-z]+-\d{1,2}$/;

/** Console host for a region: console.aws.amazon.com, console.amazonaws.cn, console.amazonaws-us-gov.com. */
export function consoleHost(partition: Partition, region?: string): string {
  switch (partition) {
    case 'aws-cn':
      return 'console.amazonaws.cn';
    case 'aws-us-gov':
      return 'console.amazonaws-us-gov.com';
    default:
      return region ? `${region}.console.aws.amazon.com` : 'console.aws.amazon.com';
  }
}
