/**
 * The `lockstep` command line: `serve` runs the server; the other commands are clients of a
 * running server over its public API, exactly like the AWS CLI.
 */
import { Command, CommanderError } from 'commander';
import { LOCKSTEP_VERSION } from '../server/version.js';
import { addAuditCommand } from './audit-command.js';
import { addConnectionsCommand } from './connections-command.js';
import { addIamReportCommand } from './iam-report-command.js';
import { addKeysCommand } from './keys-command.js';
import { addLogsCommand } from './logs-command.js';
import { addPipelinesCommand } from './pipelines-command.js';
import { addSecretsCommand } from './secrets-command.js';
import { addServeCommand } from './serve-command.js';

/** Runs the command line and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('lockstep')
    .version(LOCKSTEP_VERSION)
    .description('Lockstep: a self-hosted CodePipeline')
    .exitOverride()
    .showHelpAfterError();
  addServeCommand(program, (code) => (exitCode = code));
  addLogsCommand(program, (text) => process.stdout.write(text));
  addPipelinesCommand(program, (text) => process.stdout.write(text));
  addConnectionsCommand(program, (text) => process.stdout.write(text));
  addIamReportCommand(program, (text) => process.stdout.write(text));
  addSecretsCommand(program, (text) => process.stdout.write(text));
  addAuditCommand(program, (code) => (exitCode = code));
  addKeysCommand(program, (text) => process.stdout.write(text));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    return reportFailure(error);
  }
  return exitCode;
}

function reportFailure(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? 0 : 2;
  }
  const err = error as { name?: string; message?: string; code?: string; $metadata?: unknown };
  if (err.code === 'ECONNREFUSED') {
    process.stderr.write(`lockstep: ${err.message}; is 'lockstep serve' running there?\n`);
  } else if (err.$metadata !== undefined) {
    // A service error: name it as the AWS CLI does, so scripts can match on it.
    process.stderr.write(`lockstep: ${err.name}: ${err.message}\n`);
  } else {
    process.stderr.write(`lockstep: ${err.message ?? String(error)}\n`);
  }
  return 1;
}
