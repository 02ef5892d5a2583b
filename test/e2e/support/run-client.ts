/**
 * Runs a real AWS client (the AWS CLI, or python3 with boto3) as a subprocess against a Lockstep
 * server, with an environment that can only reach that server: no profile, no config file, no
 * instance metadata, no pager, and no AWS_* variables leaking in from the developer's shell.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface ClientResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The environment a client runs in: credentials from `credentialsFile` and nothing else. */
export function clientEnv(
  credentialsFile: string,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_')) env[key] = value;
  }
  return {
    ...env,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/** Runs `command args` and resolves with its exit code and output; never rejects on exit code. */
export function runClient(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(new Error(`could not run ${command}: ${error.message}`, { cause: error }));
        return;
      }
      resolve({ exitCode: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

/** An AWS CLI bound to one server: `cli.run('get-pipeline', '--name', 'x')`. */
export interface AwsCli {
  run(...args: string[]): Promise<ClientResult>;
  /** Runs and parses stdout as JSON; throws with the CLI's stderr if it failed. */
  json<T = Record<string, unknown>>(...args: string[]): Promise<T>;
}

/** Binds `bin` to `server` with the credentials in `credentialsFile`. */
export function awsCli(
  bin: string,
  server: { url: string; region: string },
  credentialsFile: string,
): AwsCli {
  const any = awsAnyServiceCli(bin, server, credentialsFile);
  return {
    run: (...args) => any.run('codepipeline', ...args),
    json: (...args) => any.json('codepipeline', ...args),
  };
}

/** Like awsCli, for any service: `cli.json('iam', 'create-user', '--user-name', 'x')`. */
export function awsAnyServiceCli(
  bin: string,
  server: { url: string; region: string },
  credentialsFile: string,
): AwsCli {
  const env = clientEnv(credentialsFile);
  const common = ['--endpoint-url', server.url, '--region', server.region, '--output', 'json'];
  const run = (...args: string[]) => runClient(bin, [...args, ...common], env);
  return {
    run,
    json: async <T>(...args: string[]) => {
      const result = await run(...args);
      if (result.exitCode !== 0) {
        throw new Error(`aws ${args.join(' ')} exited ${result.exitCode}:\n${result.stderr}`);
      }
      return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
    },
  };
}

/** The first line of `bin --version`, or undefined when `bin` cannot run. */
export function versionOf(
  bin: string,
  args: readonly string[] = ['--version'],
): string | undefined {
  try {
    return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')[0];
  } catch {
    return undefined;
  }
}

/** Every executable called `name` on PATH, in PATH order. */
export function everyOnPath(name: string): string[] {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => path.join(dir, name))
    .filter((candidate) => existsSync(candidate));
}
