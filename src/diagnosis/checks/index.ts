/**
 * The check registry and the runner. Each check lives in the folder of its id's namespace, in a file named after
 * the rest of its id (`network.route` → network/route.ts); shared/ holds what several checks use. A new check is
 * its file, one line here, its words in locales/{en,it}/<namespace>.json and its test (test/unit/checks/…):
 * test/unit/check-registry.test.ts fails when one of these is missing.
 */
import type { ConsoleLinks } from '../../aws/console-links.js';
import type { TaskContext } from '../context.js';
import type { Fact, FactName } from '../facts/types.js';
import { dhcpOptionsCheck } from './dns/dhcp-options.js';
import { efsAuthorizationCheck } from './efs/authorization.js';
import { mountTargetCheck } from './efs/mount-target.js';
import { efsSecurityGroupsCheck } from './efs/security-groups.js';
import { endpointAzCheck } from './endpoints/availability-zones.js';
import { endpointPolicyCheck } from './endpoints/policy.js';
import { privateDnsCheck } from './endpoints/private-dns.js';
import { requiredEndpointsCheck } from './endpoints/required.js';
import { s3RouteCheck } from './endpoints/s3-route.js';
import { endpointSecurityGroupsCheck } from './endpoints/security-groups.js';
import { executionRoleCheck } from './iam/execution-role.js';
import { imageExistsCheck } from './image/exists.js';
import { imagePlatformCheck } from './image/platform.js';
import { rateLimitCheck } from './image/rate-limit.js';
import { imageReferenceCheck } from './image/reference.js';
import { registryCredentialsCheck } from './image/registry-credentials.js';
import { repositoryPolicyCheck } from './image/repository-policy.js';
import { logKmsCheck } from './logs/kms.js';
import { logGroupCheck } from './logs/log-group.js';
import { logPermissionsCheck } from './logs/permissions.js';
import { naclCheck } from './network/nacl.js';
import { natGatewayCheck } from './network/nat-gateway.js';
import { publicIpCheck } from './network/public-ip.js';
import { routeCheck } from './network/route.js';
import { securityGroupEgressCheck } from './network/security-group-egress.js';
import { secretsRetrievalCheck } from './secrets/retrieval.js';
import { ephemeralStorageCheck } from './storage/ephemeral.js';
import {
  type Check,
  type CheckInput,
  type CheckResult,
  FactReader,
  FactUnavailable,
  isInconclusive,
} from './types.js';

/** The network path: the internet path, then the endpoint path, then DNS, in display order. */
export const networkPathChecks: readonly Check[] = [
  routeCheck,
  publicIpCheck,
  natGatewayCheck,
  securityGroupEgressCheck,
  naclCheck,
  requiredEndpointsCheck,
  endpointAzCheck,
  endpointSecurityGroupsCheck,
  endpointPolicyCheck,
  s3RouteCheck,
  privateDnsCheck,
  dhcpOptionsCheck,
];

/** Identity, image, storage and secrets, in display order. */
export const identityChecks: readonly Check[] = [
  executionRoleCheck,
  imageReferenceCheck,
  imageExistsCheck,
  imagePlatformCheck,
  repositoryPolicyCheck,
  registryCredentialsCheck,
  rateLimitCheck,
  ephemeralStorageCheck,
  secretsRetrievalCheck,
];

/** What the task needs to start beyond its images: its awslogs log groups and its EFS volumes, in display order. */
export const startChecks: readonly Check[] = [
  logGroupCheck,
  logPermissionsCheck,
  logKmsCheck,
  mountTargetCheck,
  efsSecurityGroupsCheck,
  efsAuthorizationCheck,
];

/** Every check, in display order. */
export const allChecks: readonly Check[] = [...networkPathChecks, ...identityChecks, ...startChecks];

/** The union of facts the given checks read. */
export function factsNeeded(checks: readonly Check[]): FactName[] {
  return [...new Set(checks.flatMap((c) => c.needs))];
}

/**
 * What the runner adds to every result: the cause it speaks to, whether a skip means "cannot tell", and for a
 * failure or a warning the commands that fix it (a bug there costs the commands, never the result).
 */
function finish(
  check: Check,
  result: CheckResult,
  input?: CheckInput,
  onError: (checkId: string, err: unknown) => void = () => {},
): CheckResult {
  const { id, status, ...rest } = result;
  const out: CheckResult = { id, status, cause: result.cause ?? check.cause, ...rest };
  if (isInconclusive(check, result)) out.inconclusive = true;
  if (input && check.commands && (status === 'fail' || status === 'warn')) {
    try {
      // An account is named only when it is not the task's own.
      const commands = check
        .commands(out, input)
        .map(({ account, ...c }) => (account && account !== input.context.account ? { ...c, account } : c));
      if (commands.length) out.commands = commands;
    } catch (err) {
      // A fact the commands would name is missing: the result stands without commands.
      if (!(err instanceof FactUnavailable)) onError(check.id, err);
    }
  }
  return out;
}

/** Whether the context is a pre-flight's planned task (no task ran yet). */
export function isPreflight(context: TaskContext): boolean {
  return context.source === 'preflight';
}

/**
 * Runs each check; a missing fact makes that one check `unknown`, a bug in a check too (never the report). In a
 * pre-flight a check that needs the failed task is not applicable: a skip that says so, without running it.
 */
export function runChecks(
  checks: readonly Check[],
  context: TaskContext,
  facts: Readonly<Record<string, Fact<unknown>>>,
  links: ConsoleLinks,
  onError: (checkId: string, err: unknown) => void = () => {},
): Promise<CheckResult[]> {
  const reader = new FactReader(facts);
  const input: CheckInput = { context, facts: reader, links };
  return Promise.all(
    checks.map(async (check): Promise<CheckResult> => {
      if (check.failedTask === 'needs' && isPreflight(context)) {
        return finish(check, {
          id: check.id,
          status: 'skip',
          message: { key: 'common:preflight.not-applicable' },
          evidence: [],
          links: [],
        });
      }
      try {
        return finish(check, await check.run(input), input, onError);
      } catch (err) {
        if (err instanceof FactUnavailable) {
          return finish(check, {
            id: check.id,
            status: 'unknown',
            message: {
              key: `common:unknown.${err.error.kind}`,
              params: {
                fact: err.fact,
                action: err.error.action ?? '',
                code: err.error.code,
                ...(err.error.account ? { account: err.error.account } : {}),
              },
            },
            evidence: [],
            links: [],
            missing: { fact: err.fact, error: err.error },
          });
        }
        onError(check.id, err);
        return finish(check, {
          id: check.id,
          status: 'unknown',
          message: {
            key: 'common:unknown.internal',
            params: { message: String((err as Error)?.message ?? err) },
          },
          evidence: [],
          links: [],
        });
      }
    }),
  );
}
