/**
 * How client commands reach a server: `--endpoint-url` (default the local server), a region,
 * and credentials from `--data-dir`'s credentials file or else the standard AWS chain
 * (environment, AWS_PROFILE / --profile, shared files).
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';

export interface ClientFlags {
  endpointUrl?: string;
  region?: string;
  dataDir?: string;
  profile?: string;
  output?: 'json' | 'table';
}

/** Adds the options every client command takes. */
export function withClientOptions(command: Command): Command {
  return (
    command
      .option('--endpoint-url <url>', 'Lockstep server URL [env LOCKSTEP_ENDPOINT_URL]', undefined)
      .option('--region <region>', 'region [env AWS_REGION] (default us-east-1)')
      .option('--data-dir <dir>', "use the bootstrap administrator's key from DIR/credentials")
      .option('--profile <name>', 'profile from the shared AWS credentials file')
      // Checked while parsing, so a typo is refused before anything is sent.
      .addOption(
        new Option('--output <format>', 'output format (default table)').choices(['json', 'table']),
      )
  );
}

/** Where a client command connects and as whom: flags, then environment, then defaults. */
export function clientConnection(flags: ClientFlags) {
  return {
    endpoint: flags.endpointUrl ?? process.env.LOCKSTEP_ENDPOINT_URL ?? 'http://127.0.0.1:7700',
    region: flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    credentials: flags.dataDir
      ? fromIni({ filepath: path.join(flags.dataDir, 'credentials'), profile: 'default' })
      : flags.profile
        ? fromIni({ profile: flags.profile })
        : fromNodeProviderChain(),
  };
}

/** A CodePipeline client for the server the flags name. */
export function codePipelineClient(flags: ClientFlags): CodePipelineClient {
  const { endpoint, region, credentials } = clientConnection(flags);
  // The SDK warns on every Node 20 run that its releases after January 2027 will need Node 22.
  // Lockstep pins its SDK version in package-lock.json, so the notice is noise for our users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // No retries: a script wants the first answer, and errors are never transient here.
  return new CodePipelineClient({ endpoint, region, credentials, maxAttempts: 1 });
}

/** The output format asked for; commander has already refused anything but json and table. */
export function outputFormat(flags: ClientFlags): 'json' | 'table' {
  return flags.output ?? 'table';
}
