/**
 * `lockstep iam report`: the access review, computed by the server (GetAccessReport) with its
 * own policy engine: every principal, what it may do on which pipeline, and the findings
 * (unused and old keys, users without MFA, wildcard grants). A table by default;
 * `--output json` for scripts, with timestamps as ISO 8601 like the AWS CLI prints them.
 */
import type { Command } from 'commander';
import { renderAccessReport, type WireAccessReport } from './access-report-table.js';
import { outputFormat, withClientOptions, type ClientFlags } from './client-options.js';
import { lockstepClient } from './lockstep-client.js';

type Print = (text: string) => void;

const TIMESTAMP_FIELDS = new Set(['generatedAt', 'createDate', 'lastUsedDate']);

/** The report as JSON text, its epoch-second timestamps turned into ISO 8601. */
function toJson(report: WireAccessReport): string {
  const iso = (key: string, value: unknown) =>
    TIMESTAMP_FIELDS.has(key) && typeof value === 'number'
      ? new Date(value * 1000).toISOString()
      : value;
  return JSON.stringify(report, iso, 2) + '\n';
}

/** Adds `iam report` to the program. */
export function addIamReportCommand(program: Command, print: Print): void {
  const iam =
    program.commands.find((c) => c.name() === 'iam') ??
    program.command('iam').description('identities and access');
  withClientOptions(
    iam
      .command('report')
      .description(
        'access review: what each principal may do on which pipeline, unused and old keys, ' +
          'users without MFA, wildcard grants',
      ),
  ).action(async (flags: ClientFlags) => {
    const report = await lockstepClient(flags).call<WireAccessReport>('GetAccessReport', {});
    print(outputFormat(flags) === 'json' ? toJson(report) : renderAccessReport(report));
  });
}
