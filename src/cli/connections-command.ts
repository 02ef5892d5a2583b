/**
 * `lockstep connections create|list|get|delete`: connections to git hosts from a shell,
 * through Lockstep's own connection operations (they carry the endpoint URL, which the AWS
 * CodeConnections API has no member for). Output is JSON unless `--output table`.
 */
import { Option, type Command } from 'commander';
import { withClientOptions, type ClientFlags } from './client-options.js';
import { lockstepClient } from './lockstep-client.js';
import { formatTime, renderTable } from './render-table.js';

type Print = (text: string) => void;

interface WireConnection {
  ConnectionName?: string;
  ConnectionArn?: string;
  ProviderType?: string;
  ConnectionStatus?: string;
  Endpoint?: string;
  CreatedAt?: number | string;
}

const PROVIDER_TYPES = [
  'Git',
  'GitHub',
  'GitHubEnterpriseServer',
  'GitLab',
  'GitLabSelfManaged',
  'Bitbucket',
  'AzureDevOps',
];

/** Adds `connections` and its subcommands to the program. */
export function addConnectionsCommand(program: Command, print: Print): void {
  const connections = program.command('connections').description('manage connections to git hosts');
  withClientOptions(connections.command('create').description('create a connection'))
    .requiredOption('--name <name>', 'connection name, unique in the account')
    .addOption(
      new Option('--provider-type <type>', 'provider type').choices(PROVIDER_TYPES).default('Git'),
    )
    .requiredOption('--endpoint <url>', 'where the repositories live: file://, https:// or ssh://')
    .option(
      '--credentials-secret-arn <arn>',
      'secret holding the https token (or {"username","password"}) or the ssh private key, ' +
        'read when a source runs',
    )
    .action(
      async (
        flags: ClientFlags & {
          name: string;
          providerType: string;
          endpoint: string;
          credentialsSecretArn?: string;
        },
      ) => {
        const out = await lockstepClient(flags).call<WireConnection>('CreateConnection', {
          ConnectionName: flags.name,
          ProviderType: flags.providerType,
          Endpoint: flags.endpoint,
          ...(flags.credentialsSecretArn
            ? { CredentialsSecretArn: flags.credentialsSecretArn }
            : {}),
        });
        print(isTable(flags) ? `created ${out.ConnectionArn}\n` : json(readable(out)));
      },
    );
  withClientOptions(connections.command('list').description('list connections')).action(
    async (flags: ClientFlags) => print(await listConnections(flags)),
  );
  withClientOptions(connections.command('get <arn>').description('describe a connection')).action(
    async (arn: string, flags: ClientFlags) => {
      const out = await lockstepClient(flags).call<{ Connection?: WireConnection }>(
        'GetConnection',
        { ConnectionArn: arn },
      );
      const connection = readable(out.Connection ?? {});
      print(isTable(flags) ? table([connection]) : json({ Connection: connection }));
    },
  );
  withClientOptions(connections.command('delete <arn>').description('delete a connection')).action(
    async (arn: string, flags: ClientFlags) => {
      await lockstepClient(flags).call('DeleteConnection', { ConnectionArn: arn });
      print(isTable(flags) ? `deleted ${arn}\n` : '{}\n');
    },
  );
}

async function listConnections(flags: ClientFlags): Promise<string> {
  const client = lockstepClient(flags);
  const all: WireConnection[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.call<{ Connections?: WireConnection[]; NextToken?: string }>(
      'ListConnections',
      nextToken === undefined ? {} : { NextToken: nextToken },
    );
    all.push(...(page.Connections ?? []).map(readable));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return isTable(flags) ? table(all) : json({ Connections: all });
}

function table(connections: WireConnection[]): string {
  const rows = connections.map((c) => [
    c.ConnectionName ?? '',
    c.ProviderType ?? '',
    c.ConnectionStatus ?? '',
    c.Endpoint ?? '',
    c.ConnectionArn ?? '',
  ]);
  return renderTable(['NAME', 'PROVIDER', 'STATUS', 'ENDPOINT', 'ARN'], rows);
}

/** The wire's epoch seconds as an ISO time, as the AWS CLI prints timestamps. */
function readable(connection: WireConnection): WireConnection {
  const seconds = connection.CreatedAt;
  if (typeof seconds !== 'number') return connection;
  return { ...connection, CreatedAt: formatTime(new Date(seconds * 1000)) };
}

function isTable(flags: ClientFlags): boolean {
  return flags.output === 'table';
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
