/**
 * The operation table of Amazon CloudWatch Logs (`Logs_20140328`, JSON 1.1) for reading action
 * logs: `aws logs get-log-events`, `filter-log-events`, `describe-log-streams` and
 * `describe-log-groups`, and the SDKs, read the log every action execution's logStreamARN names.
 * Each call is authorized as logs:<Operation> on the log group's ARN with its trailing `:*`.
 */
import type {
  ActionLogGroups,
  DescribeLogGroupsInput,
  FilterLogEventsInput,
  GetLogEventsInput,
} from '../logs/action-log-groups.js';
import { logGroupResourceArn, type LogGroupRef } from '../logs/log-group-ref.js';
import type { DescribeLogStreamsInput } from '../logs/log-streams.js';
import { defineOperation, type JsonService, type Operation } from './operation.js';

/** CloudWatch Logs over JSON 1.1, answering from the action logs of `groups`. */
export function cloudWatchLogsService(groups: ActionLogGroups): JsonService {
  const onGroup = (raw: Record<string, unknown>) => logGroupResourceArn(groups.scope, raw);
  const operations: Operation[] = [
    defineOperation<DescribeLogGroupsInput>({
      name: 'DescribeLogGroups',
      iamAction: 'logs:DescribeLogGroups',
      readOnly: true,
      resourceArn: onGroup,
      handle: (input) => groups.describeLogGroups(input),
    }),
    defineOperation<DescribeLogStreamsInput & LogGroupRef>({
      name: 'DescribeLogStreams',
      iamAction: 'logs:DescribeLogStreams',
      readOnly: true,
      resourceArn: onGroup,
      handle: (input) => groups.describeLogStreams(input),
    }),
    defineOperation<GetLogEventsInput>({
      name: 'GetLogEvents',
      iamAction: 'logs:GetLogEvents',
      readOnly: true,
      resourceArn: onGroup,
      handle: (input) => groups.getLogEvents(input),
    }),
    defineOperation<FilterLogEventsInput>({
      name: 'FilterLogEvents',
      iamAction: 'logs:FilterLogEvents',
      readOnly: true,
      resourceArn: onGroup,
      handle: (input) => groups.filterLogEvents(input),
    }),
  ];
  return {
    targetPrefix: 'Logs_20140328',
    signingName: 'logs',
    eventSource: 'logs.amazonaws.com',
    model: 'logs/2014-03-28',
    operations: new Map(operations.map((op) => [op.name, op])),
  };
}
