/**
 * Reads an EventBridge "ECS Task State Change" event (the alert payload that outlives the task) into the task
 * record the context is rebuilt from. Accepts the whole event, a list of events, or just its `detail`.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';
import type { EventTask, TaskRecord } from './facts/types.js';

const detailSchema = z
  .object({
    taskArn: z.string().regex(/^arn:aws(-cn|-us-gov)?:ecs:[a-z0-9-]+:\d{12}:task\//),
    clusterArn: z.string().optional(),
    taskDefinitionArn: z.string().optional(),
    lastStatus: z.string().optional(),
    desiredStatus: z.string().optional(),
    stopCode: z.string().optional(),
    stoppedReason: z.string().optional(),
    stoppedAt: z.union([z.string(), z.number()]).optional(),
    createdAt: z.union([z.string(), z.number()]).optional(),
    startedBy: z.string().optional(),
    group: z.string().optional(),
    launchType: z.string().optional(),
    capacityProviderName: z.string().optional(),
    platformVersion: z.string().optional(),
    platformFamily: z.string().optional(),
    availabilityZone: z.string().optional(),
    cpu: z.string().optional(),
    memory: z.string().optional(),
    ephemeralStorage: z.object({ sizeInGiB: z.number().optional() }).loose().optional(),
    containers: z
      .array(
        z
          .object({
            name: z.string().optional(),
            image: z.string().optional(),
            imageDigest: z.string().optional(),
            lastStatus: z.string().optional(),
            reason: z.string().optional(),
            exitCode: z.number().optional(),
          })
          .loose(),
      )
      .optional(),
    attachments: z
      .array(
        z
          .object({
            type: z.string().optional(),
            status: z.string().optional(),
            details: z
              .array(z.object({ name: z.string().optional(), value: z.string().optional() }))
              .optional(),
          })
          .loose(),
      )
      .optional(),
  })
  .loose();

const eventSchema = z
  .object({
    'detail-type': z.literal('ECS Task State Change').optional(),
    source: z.string().optional(),
    account: z.string().optional(),
    region: z.string().optional(),
    detail: detailSchema,
  })
  .loose();

/** Finds the ECS task state change in a parsed JSON value; null when it holds none. */
export function taskFromEventJson(value: unknown, wantedTaskId?: string): EventTask | null {
  const candidates = Array.isArray(value) ? value : [value];
  for (const c of candidates) {
    let detail: z.infer<typeof detailSchema> | undefined;
    const asEvent = eventSchema.safeParse(c);
    if (asEvent.success) detail = asEvent.data.detail;
    else {
      const asDetail = detailSchema.safeParse(c);
      if (asDetail.success) detail = asDetail.data;
    }
    if (!detail) continue;
    const [, , , region, account] = detail.taskArn.split(':');
    if (wantedTaskId && !detail.taskArn.endsWith(`/${wantedTaskId}`)) continue;
    return { account: account!, region: region!, task: detail as TaskRecord };
  }
  return null;
}

/** Parses the text of an event file; throws UserError('errors.event.*'). */
export function parseEventText(text: string, source: string, wantedTaskId?: string): EventTask {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError('errors.event.not-json', {
      file: source,
      reason: (err as Error).message.slice(0, 120),
    });
  }
  const found = taskFromEventJson(value);
  if (!found) throw new UserError('errors.event.not-ecs', { file: source });
  if (wantedTaskId && !found.task.taskArn.endsWith(`/${wantedTaskId}`)) {
    const matching = taskFromEventJson(value, wantedTaskId);
    if (!matching) throw new UserError('errors.event.other-task', { file: source, task: found.task.taskArn });
    return matching;
  }
  return found;
}
