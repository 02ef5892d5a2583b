/**
 * Action logs: what an action's commands printed, kept per action execution in
 * DIR/logs/<pipeline>/<execution>/<action execution>.log by the server that ran it, and read
 * back by `lockstep logs`. Only the last MAX_LOG_BYTES are returned, as a terminal would show.
 * The same logs are served as CloudWatch Logs (src/logs/): one log group per pipeline, one log
 * stream per action execution, named by the functions below.
 */
import path from 'node:path';
import { ResourceNotFoundException } from '../errors/codepipeline-errors.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { ActionLogCipher } from '../logs/sealed-log.js';
import type { StateStore } from '../store/state-store.js';

const MAX_LOG_BYTES = 1024 * 1024;

export interface ActionLogRequest {
  pipelineName: string;
  pipelineExecutionId: string;
  actionName: string;
  stageName?: string;
}

/** The CloudWatch Logs group of a pipeline's action logs, as CodePipeline names it. */
export function actionLogGroupName(pipelineName: string): string {
  return `/aws/codepipeline/${pipelineName}`;
}

/** The log stream of one action execution: `<pipeline execution id>/<action execution id>`. */
export function actionLogStreamName(executionId: string, actionExecutionId: string): string {
  return `${executionId}/${actionExecutionId}`;
}

/** The ARN of an action execution's log stream (its `logStreamARN`). */
export function actionLogStreamArn(
  scope: AccountScope,
  pipelineName: string,
  executionId: string,
  actionExecutionId: string,
): string {
  return (
    `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${actionLogGroupName(pipelineName)}` +
    `:log-stream:${actionLogStreamName(executionId, actionExecutionId)}`
  );
}

export class ActionLogs {
  /** The plaintext of a log file of this server's (sealed at rest, or older and in clear). */
  readonly readPlaintext: (logFile: string) => Promise<Buffer>;
  /** How many plaintext bytes a log file holds, without decrypting it. */
  readonly plaintextLength: (logFile: string) => Promise<number>;

  constructor(
    private readonly store: StateStore,
    private readonly dataDir: string,
    cipher: ActionLogCipher,
  ) {
    this.readPlaintext = (logFile) => cipher.read(logFile);
    this.plaintextLength = (logFile) => cipher.plaintextLength(logFile);
  }

  /** The path of an action execution's log file. */
  logFile(pipelineName: string, executionId: string, actionExecutionId: string): string {
    return path.join(this.dataDir, 'logs', pipelineName, executionId, `${actionExecutionId}.log`);
  }

  /** The latest attempt's log of an action in an execution. */
  async read(request: ActionLogRequest) {
    const actions = await this.store.executions.listActionExecutions(
      request.pipelineName,
      request.pipelineExecutionId,
      undefined,
      500,
    );
    const action = actions.find(
      (a) =>
        a.actionName === request.actionName &&
        (request.stageName === undefined || a.stageName === request.stageName),
    );
    if (!action) {
      throw new ResourceNotFoundException(
        `Execution ${request.pipelineExecutionId} of pipeline ${request.pipelineName} has not run an action named ${request.actionName}.`,
      );
    }
    const { text, truncated } = tailOf(
      await this.readPlaintext(
        this.logFile(request.pipelineName, request.pipelineExecutionId, action.id),
      ),
    );
    return {
      actionExecutionId: action.id,
      stageName: action.stageName,
      status: action.status,
      log: text,
      truncated,
    };
  }
}

/** The last MAX_LOG_BYTES of a log; an action that printed nothing has an empty log. */
function tailOf(log: Buffer): { text: string; truncated: boolean } {
  const length = Math.min(log.length, MAX_LOG_BYTES);
  return {
    text: log.subarray(log.length - length).toString('utf8'),
    truncated: log.length > length,
  };
}
