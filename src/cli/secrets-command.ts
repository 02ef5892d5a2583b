/**
 * `lockstep secrets overdue`: the Secrets Manager secrets whose rotation is overdue, from the
 * server's ListOverdueSecrets. Lockstep runs no rotation functions; rotating a secret means
 * writing its new value (`aws secretsmanager put-secret-value`), which moves its next
 * rotation date on. A table by default, `--output json` for scripts.
 */
import type { Command } from 'commander';
import { outputFormat, withClientOptions, type ClientFlags } from './client-options.js';
import { lockstepClient } from './lockstep-client.js';
import { formatTime, renderTable } from './render-table.js';

type Print = (text: string) => void;

interface WireOverdueSecret {
  name: string;
  arn: string;
  nextRotationDate: number;
  lastRotatedDate?: number;
  rotationRules: { AutomaticallyAfterDays?: number; ScheduleExpression?: string };
}

const DAY_MS = 86_400_000;

/** Adds `secrets overdue` to the program. */
export function addSecretsCommand(program: Command, print: Print): void {
  const secrets = program.command('secrets').description('Secrets Manager secrets');
  withClientOptions(
    secrets
      .command('overdue')
      .description('secrets whose rotation is overdue (rotate one with put-secret-value)'),
  ).action(async (flags: ClientFlags) => {
    const out = await lockstepClient(flags).call<{ secrets?: WireOverdueSecret[] }>(
      'ListOverdueSecrets',
      {},
    );
    const overdue = out.secrets ?? [];
    if (outputFormat(flags) === 'json') {
      print(JSON.stringify({ secrets: overdue.map(readable) }, null, 2) + '\n');
    } else if (overdue.length === 0) {
      print('No secret is overdue for rotation.\n');
    } else {
      print(renderOverdue(overdue, Date.now()));
    }
  });
}

function renderOverdue(overdue: WireOverdueSecret[], nowMs: number): string {
  return renderTable(
    ['NAME', 'DUE', 'OVERDUE', 'LAST ROTATED', 'SCHEDULE', 'ARN'],
    overdue.map((s) => [
      s.name,
      formatTime(new Date(s.nextRotationDate * 1000)),
      `${Math.floor((nowMs - s.nextRotationDate * 1000) / DAY_MS)} days`,
      s.lastRotatedDate === undefined ? 'never' : formatTime(new Date(s.lastRotatedDate * 1000)),
      schedule(s.rotationRules),
      s.arn,
    ]),
  );
}

function schedule(rules: WireOverdueSecret['rotationRules']): string {
  if (rules.AutomaticallyAfterDays !== undefined) {
    return `every ${rules.AutomaticallyAfterDays} days`;
  }
  return rules.ScheduleExpression ?? '';
}

/** Epoch seconds as ISO 8601, as the AWS CLI prints timestamps in JSON. */
function readable(s: WireOverdueSecret) {
  return {
    ...s,
    nextRotationDate: new Date(s.nextRotationDate * 1000).toISOString(),
    ...(s.lastRotatedDate === undefined
      ? {}
      : { lastRotatedDate: new Date(s.lastRotatedDate * 1000).toISOString() }),
  };
}
