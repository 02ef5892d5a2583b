/**
 * `lockstep logs PIPELINE EXECUTION_ID ACTION`: prints what an action's commands printed, the
 * latest attempt of that action in that execution. `--output json` adds the action
 * execution's id, stage and status.
 */
import type { Command } from 'commander';
import { outputFormat, withClientOptions, type ClientFlags } from './client-options.js';
import { lockstepClient } from './lockstep-client.js';

type Print = (text: string) => void;

interface LogOutput {
  actionExecutionId: string;
  stageName: string;
  status: string;
  log: string;
  truncated?: boolean;
}

/** Adds the `logs` command to the program. */
export function addLogsCommand(program: Command, print: Print): void {
  withClientOptions(
    program
      .command('logs <pipeline> <executionId> <action>')
      .description("print an action's log from one pipeline execution"),
  )
    .option('--stage <name>', 'the stage, when two stages have actions of that name')
    .action(
      async (
        pipeline: string,
        executionId: string,
        action: string,
        flags: ClientFlags & { stage?: string },
      ) => {
        const out = await lockstepClient(flags).call<LogOutput>('GetActionExecutionLog', {
          pipelineName: pipeline,
          pipelineExecutionId: executionId,
          actionName: action,
          ...(flags.stage ? { stageName: flags.stage } : {}),
        });
        if (outputFormat(flags) === 'json') return print(JSON.stringify(out, null, 2) + '\n');
        const note = out.truncated ? '(only the end of the log is shown)\n' : '';
        print(note + out.log);
      },
    );
}
