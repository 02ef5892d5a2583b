/**
 * Which log group a CloudWatch Logs call names, by `logGroupName` or `logGroupIdentifier` (a
 * name or an ARN), and the ARN IAM authorizes it on. The groups are `/aws/codepipeline/<pipeline>`,
 * one per pipeline, existing exactly as long as their pipeline.
 */
import { actionLogGroupName } from '../engine/action-logs.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import { InvalidParameterException, logGroupNotFound } from './logs-errors.js';

const GROUP_PREFIX = actionLogGroupName('');

/** How a call names its log group. */
export interface LogGroupRef {
  logGroupName?: string;
  logGroupIdentifier?: string;
}

/** The ARN of a log group, without (for TagResource and logGroupArn) or with the trailing `:*`. */
export function logGroupArn(scope: AccountScope, groupName: string, wildcard: boolean): string {
  const arn = `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${groupName}`;
  return wildcard ? `${arn}:*` : arn;
}

/**
 * The resource IAM authorizes a call on, from its raw input: the log group's ARN with the
 * trailing `:*`, the form AWS tells policy writers to use for every read call; `log-group:*`
 * when the call names no group (DescribeLogGroups).
 */
export function logGroupResourceArn(scope: AccountScope, raw: Record<string, unknown>): string {
  const name = typeof raw.logGroupName === 'string' ? raw.logGroupName : undefined;
  const identifier =
    typeof raw.logGroupIdentifier === 'string' ? raw.logGroupIdentifier : undefined;
  const group = name ?? (identifier === undefined ? undefined : groupNameOf(scope, identifier));
  return group === undefined ? logGroupArn(scope, '*', false) : logGroupArn(scope, group, true);
}

/** The name of the group a call names; InvalidParameterException unless it names exactly one. */
export function requireGroupName(scope: AccountScope, ref: LogGroupRef): string {
  if (ref.logGroupName !== undefined && ref.logGroupIdentifier !== undefined) {
    throw new InvalidParameterException(
      'logGroupName and logGroupIdentifier are mutually exclusive; specify only one of them.',
    );
  }
  if (ref.logGroupName !== undefined) return ref.logGroupName;
  if (ref.logGroupIdentifier !== undefined) {
    const name = groupNameOf(scope, ref.logGroupIdentifier);
    if (name === undefined) throw logGroupNotFound();
    return name;
  }
  throw new InvalidParameterException('Specify either logGroupName or logGroupIdentifier.');
}

/** The pipeline whose action logs a group holds, or undefined when it is no pipeline's group. */
export function pipelineOfGroup(groupName: string): string | undefined {
  if (!groupName.startsWith(GROUP_PREFIX)) return undefined;
  const pipeline = groupName.slice(GROUP_PREFIX.length);
  return /^[A-Za-z0-9.@\-_]{1,100}$/.test(pipeline) ? pipeline : undefined;
}

/** The group name of an identifier (a name, or an ARN in this account and region). */
function groupNameOf(scope: AccountScope, identifier: string): string | undefined {
  if (!identifier.startsWith('arn:')) return identifier;
  const prefix = logGroupArn(scope, '', false);
  if (!identifier.startsWith(prefix)) return undefined;
  const name = identifier.slice(prefix.length).replace(/:\*$/, '');
  return name === '' || name.includes(':') ? undefined : name;
}
