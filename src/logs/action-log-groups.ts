/**
 * Action logs seen as CloudWatch Logs: a log group `/aws/codepipeline/<pipeline>` per pipeline,
 * a log stream `<pipeline execution id>/<action execution id>` per action execution (the stream
 * each action execution's logStreamARN names), and a line of the log per event. Nothing is
 * copied: every call reads the same files `lockstep logs` reads, written by this server.
 */
import {
  actionLogGroupName,
  actionLogStreamArn,
  actionLogStreamName,
  type ActionLogs,
} from '../engine/action-logs.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { ActionExecutionRecord } from '../store/execution-store.js';
import type { PipelineRecord, StateStore } from '../store/state-store.js';
import { actionLogBounds, readActionLogEvents } from './action-log-events.js';
import { compileFilterPattern } from './filter-pattern.js';
import { searchPage, streamPage, type StreamQuery } from './log-event-pages.js';
import {
  logGroupArn,
  pipelineOfGroup,
  requireGroupName,
  type LogGroupRef,
} from './log-group-ref.js';
import { InvalidParameterException, logGroupNotFound, logStreamNotFound } from './logs-errors.js';
import { decodeLogPageToken, encodeLogPageToken } from './log-page-token.js';
import {
  listLogStreams,
  type DescribeLogStreamsInput,
  type LogStreamSource,
} from './log-streams.js';

const DESCRIBE_LIMIT = 50;

export interface DescribeLogGroupsInput {
  logGroupNamePrefix?: string;
  logGroupNamePattern?: string;
  logGroupIdentifiers?: string[];
  logGroupClass?: string;
  nextToken?: string;
  limit?: number;
}

export interface GetLogEventsInput extends LogGroupRef, StreamQuery {
  logStreamName: string;
}

export interface FilterLogEventsInput extends LogGroupRef {
  logStreamNames?: string[];
  logStreamNamePrefix?: string;
  startTime?: number;
  endTime?: number;
  filterPattern?: string;
  nextToken?: string;
  limit?: number;
}

export class ActionLogGroups {
  constructor(
    private readonly store: StateStore,
    private readonly logs: ActionLogs,
    readonly scope: AccountScope,
  ) {}

  /** DescribeLogGroups: the groups of the account's pipelines, in name order. */
  async describeLogGroups(input: DescribeLogGroupsInput) {
    if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
      throw new InvalidParameterException(
        'logGroupNamePrefix and logGroupNamePattern are mutually exclusive; specify only one.',
      );
    }
    const wanted = this.groupFilter(input);
    const limit = input.limit ?? DESCRIBE_LIMIT;
    const page: PipelineRecord[] = [];
    let after = decodeLogPageToken('log-groups', input.nextToken);
    let more = false;
    // Pipelines come in name order, so their groups do too; one more than a page says "more".
    while (!more) {
      const pipelines = await this.store.listPipelines(after, 500);
      for (const pipeline of pipelines.filter((p) => wanted(actionLogGroupName(p.name)))) {
        if (page.length === limit) more = true;
        else page.push(pipeline);
      }
      if (pipelines.length < 500) break;
      after = pipelines[pipelines.length - 1]?.name;
    }
    const last = page[page.length - 1];
    return {
      logGroups: page.map((pipeline) => this.describeGroup(pipeline, input.logGroupNamePattern)),
      ...(more && last ? { nextToken: encodeLogPageToken('log-groups', last.name) } : {}),
    };
  }

  /** Which group names a DescribeLogGroups call asks for. */
  private groupFilter(input: DescribeLogGroupsInput): (name: string) => boolean {
    return (name) =>
      (input.logGroupNamePrefix === undefined || name.startsWith(input.logGroupNamePrefix)) &&
      (input.logGroupNamePattern === undefined || name.includes(input.logGroupNamePattern)) &&
      (input.logGroupIdentifiers === undefined ||
        input.logGroupIdentifiers.some((id) => id === name || id === this.groupArn(name))) &&
      // Every group here is of the STANDARD class.
      (input.logGroupClass === undefined || input.logGroupClass === 'STANDARD');
  }

  /** DescribeLogStreams: one stream per action execution of the group's pipeline. */
  async describeLogStreams(input: DescribeLogStreamsInput & LogGroupRef) {
    const pipeline = await this.requirePipeline(input);
    return listLogStreams(await this.streamSources(pipeline), input);
  }

  /** GetLogEvents: one page of one action execution's log. */
  async getLogEvents(input: GetLogEventsInput) {
    const pipeline = await this.requirePipeline(input);
    const action = await this.requireStream(pipeline, input.logStreamName);
    const file = this.logs.logFile(pipeline, action.executionId, action.id);
    return streamPage(readActionLogEvents(file, this.logs.readPlaintext), input);
  }

  /** FilterLogEvents: matching events of the group's streams, interleaved by time. */
  async filterLogEvents(input: FilterLogEventsInput) {
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
      throw new InvalidParameterException(
        'logStreamNames and logStreamNamePrefix are mutually exclusive; specify only one.',
      );
    }
    const filter = compileFilterPattern(input.filterPattern);
    const pipeline = await this.requirePipeline(input);
    const named = input.logStreamNames && new Set(input.logStreamNames);
    const streams = (await this.streamSources(pipeline)).filter(
      (stream) =>
        (named === undefined || named.has(stream.logStreamName)) &&
        (input.logStreamNamePrefix === undefined ||
          stream.logStreamName.startsWith(input.logStreamNamePrefix)) &&
        // A stream created after the range ends has no event in it.
        (input.endTime === undefined || stream.creationTime <= input.endTime),
    );
    const page = await searchPage(
      streams.map((stream) => ({
        logStreamName: stream.logStreamName,
        events: () => readActionLogEvents(stream.logFile, this.logs.readPlaintext),
      })),
      { ...input, filter },
    );
    // searchedLogStreams is no longer filled in by CloudWatch Logs either (since May 2020).
    return { ...page, searchedLogStreams: [] };
  }

  private groupArn(name: string): string {
    return logGroupArn(this.scope, name, false);
  }

  private describeGroup(pipeline: PipelineRecord, pattern: string | undefined) {
    const name = actionLogGroupName(pipeline.name);
    const brief = {
      logGroupName: name,
      creationTime: pipeline.createdMs,
      arn: logGroupArn(this.scope, name, true),
    };
    // With logGroupNamePattern, CloudWatch Logs returns only these three members.
    if (pattern !== undefined) return brief;
    return {
      ...brief,
      metricFilterCount: 0,
      logGroupClass: 'STANDARD',
      logGroupArn: this.groupArn(name),
    };
  }

  /** The pipeline of the group a call names; ResourceNotFoundException when there is none. */
  private async requirePipeline(ref: LogGroupRef): Promise<string> {
    const pipeline = pipelineOfGroup(requireGroupName(this.scope, ref));
    if (pipeline === undefined || !(await this.store.getPipeline(pipeline))) {
      throw logGroupNotFound();
    }
    return pipeline;
  }

  private async requireStream(pipeline: string, streamName: string) {
    const [executionId, actionExecutionId, ...rest] = streamName.split('/');
    const action =
      executionId && actionExecutionId && rest.length === 0
        ? await this.store.executions.getActionExecution(actionExecutionId)
        : undefined;
    if (!action || action.pipelineName !== pipeline || action.executionId !== executionId) {
      throw logStreamNotFound();
    }
    return action;
  }

  /** Every action execution of the pipeline as a stream. */
  private async streamSources(pipeline: string): Promise<LogStreamSource[]> {
    const sources: LogStreamSource[] = [];
    let after: { startedMs: number; id: string } | undefined;
    for (;;) {
      const page = await this.store.executions.listActionExecutions(
        pipeline,
        undefined,
        after,
        500,
      );
      sources.push(...page.map((action) => this.source(action)));
      const last = page[page.length - 1];
      if (page.length < 500 || !last) return sources;
      after = { startedMs: last.startedMs, id: last.id };
    }
  }

  private source(action: ActionExecutionRecord): LogStreamSource {
    const logFile = this.logs.logFile(action.pipelineName, action.executionId, action.id);
    return {
      logStreamName: actionLogStreamName(action.executionId, action.id),
      creationTime: action.startedMs,
      arn: actionLogStreamArn(this.scope, action.pipelineName, action.executionId, action.id),
      logFile,
      bounds: () => actionLogBounds(logFile, this.logs.plaintextLength),
    };
  }
}
