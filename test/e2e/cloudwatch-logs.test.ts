/**
 * Action logs through the CloudWatch Logs API: a real server runs a Commands pipeline, and the
 * real AWS CLI v1 (`aws logs ...`) and boto3 read the log every action execution's
 * logStreamARN names, page through it, search it, and are refused where IAM says so. A second
 * action prints an AWS access key id and a GitHub token; `lockstep logs` and GetLogEvents show
 * only `***` in their place.
 */
import path from 'node:path';
import { CreatePipelineCommand, ListActionExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLockstep, isolatedEnv } from '../integration/support/lockstep-cli.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { PIPELINE_ROLE_ARN } from '../support/pipeline-role.js';
import {
  eventually,
  executionStatus,
  gitSource,
  gitSourceAction,
} from '../support/pipeline-runs.js';
import { clientEnv, runClient, versionOf } from './support/run-client.js';

const PIPELINE = 'logs-demo';
const GROUP = `/aws/codepipeline/${PIPELINE}`;
const commands = { category: 'Compute', owner: 'AWS', provider: 'Commands', version: '1' } as const;
// The log holds each command too ([Container] Running command ...): the words searched for below
// are put together by the shell, so that only the commands' output holds them.
const PRINT_COMMANDS = [
  'echo "starting build"',
  'echo "$(echo ERR)OR disk nearly full (ignored)"',
  'echo "the needle $(echo phrase) is here"',
  'for i in 1 2 3 4 5 6 7; do echo "line $i"; done',
  'echo "$(echo ERR)OR real failure"',
];
// The credentials are assembled by the shell, so only what the action prints holds them whole.
const AKIA = `AKIA${'0'.repeat(14)}42`;
const GHP = `ghp_${'0'.repeat(35)}7`;
const LEAK_COMMANDS = [
  `echo "AWS_ACCESS_KEY_ID=AKIA$(printf '%016d' 42)"`,
  `echo "token ghp_$(printf '%036d' 7) in use"`,
];

interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

interface EventPage {
  events: LogEvent[];
  nextForwardToken: string;
  nextBackwardToken: string;
}

describe('action logs through CloudWatch Logs', () => {
  let t: TestServer;
  let executionId: string;
  let startedMs: number;
  const streams: Record<string, { name: string; arn: string }> = {};

  /** `aws logs ARGS` (CLI v1) as the administrator; parsed JSON, or the failure. */
  const logs = async (...args: string[]): Promise<{ json?: unknown; failed?: string }> => {
    const env = clientEnv(path.join(t.dataDir, 'credentials'));
    const common = ['--endpoint-url', t.server.url, '--region', 'us-east-1', '--output', 'json'];
    const result = await runClient('aws', ['logs', ...args, ...common], env);
    if (result.exitCode !== 0) return { failed: result.stderr };
    return { json: JSON.parse(result.stdout) };
  };
  const logsJson = async <T>(...args: string[]) => {
    const out = await logs(...args);
    if (out.failed !== undefined) {
      throw new Error(`aws logs ${args.join(' ')} failed:\n${out.failed}`);
    }
    return out.json as T;
  };

  beforeAll(async () => {
    t = await startTestServer();
    const source = await gitSource(t);
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: {
          name: PIPELINE,
          pipelineType: 'V2',
          roleArn: PIPELINE_ROLE_ARN,
          artifactStore: { type: 'S3', location: 'artifacts' },
          stages: [
            { name: 'Source', actions: [gitSourceAction(source)] },
            {
              name: 'Build',
              actions: [
                {
                  name: 'Print',
                  actionTypeId: commands,
                  inputArtifacts: [{ name: 'Code' }],
                  commands: PRINT_COMMANDS,
                },
                {
                  name: 'Leak',
                  actionTypeId: commands,
                  inputArtifacts: [{ name: 'Code' }],
                  commands: LEAK_COMMANDS,
                },
              ],
            },
          ],
        },
      }),
    );
    startedMs = Date.now();
    // A second pipeline, so that there are two groups to page through.
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: {
          name: 'logs-other',
          pipelineType: 'V2',
          roleArn: PIPELINE_ROLE_ARN,
          artifactStore: { type: 'S3', location: 'artifacts' },
          stages: [
            { name: 'Source', actions: [gitSourceAction(source)] },
            {
              name: 'Build',
              actions: [
                {
                  name: 'Echo',
                  actionTypeId: commands,
                  inputArtifacts: [{ name: 'Code' }],
                  commands: ['echo other'],
                },
              ],
            },
          ],
        },
      }),
    );
    await eventually(async () => {
      const out = await t.client.send(new ListActionExecutionsCommand({ pipelineName: PIPELINE }));
      const details = out.actionExecutionDetails ?? [];
      executionId = details[0]?.pipelineExecutionId ?? '';
      expect(await executionStatus(t.client, PIPELINE, executionId)).toBe('Succeeded');
      for (const detail of details) {
        const arn = detail.output?.executionResult?.logStreamARN ?? '';
        streams[detail.actionName ?? ''] = { name: arn.split(':log-stream:')[1] ?? '', arn };
      }
    }, 60_000);
  }, 90_000);
  afterAll(() => t?.stop());

  it('names each action execution’s log stream in its logStreamARN', async () => {
    const out = await t.client.send(new ListActionExecutionsCommand({ pipelineName: PIPELINE }));
    const print = out.actionExecutionDetails?.find((d) => d.actionName === 'Print');
    expect(print?.output?.executionResult?.logStreamARN).toBe(
      `arn:aws:logs:us-east-1:123456789012:log-group:${GROUP}:log-stream:` +
        `${executionId}/${print?.actionExecutionId}`,
    );
  });

  it('aws logs describe-log-groups and describe-log-streams list the group and its streams', async () => {
    const groups = await logsJson<{ logGroups: { logGroupName: string; arn: string }[] }>(
      'describe-log-groups',
      '--log-group-name-prefix',
      '/aws/codepipeline/',
    );
    expect(groups.logGroups).toContainEqual(
      expect.objectContaining({
        logGroupName: GROUP,
        arn: `arn:aws:logs:us-east-1:123456789012:log-group:${GROUP}:*`,
      }),
    );
    const described = await logsJson<{ logStreams: Record<string, unknown>[] }>(
      'describe-log-streams',
      '--log-group-name',
      GROUP,
      '--log-stream-name-prefix',
      `${executionId}/`,
    );
    const print = described.logStreams.find((s) => s.logStreamName === streams.Print?.name);
    expect(print).toMatchObject({ arn: streams.Print?.arn });
    expect(print?.storedBytes).toBeGreaterThan(0);
    expect(print?.firstEventTimestamp).toBeGreaterThanOrEqual(startedMs - 1000);
    expect(print?.lastEventTimestamp).toBeLessThanOrEqual(Date.now());
    expect(described.logStreams.map((s) => s.logStreamName)).toEqual(
      [...described.logStreams.map((s) => s.logStreamName as string)].sort(),
    );
  });

  it('aws logs get-log-events returns the log line by line, as lockstep logs prints it', async () => {
    const page = await logsJson<EventPage>(
      'get-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      streams.Print?.name ?? '',
      '--start-from-head',
    );
    const printed = await lockstepLogs('Print');
    expect(page.events.map((e) => e.message).join('')).toBe(printed);
    expect(page.events.map((e) => e.message)).toContain('the needle phrase is here\n');
    const times = page.events.map((e) => e.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(startedMs - 1000);
    expect(times[times.length - 1]).toBeLessThanOrEqual(Date.now());
  });

  it('pages forward and back with nextForwardToken and nextBackwardToken', async () => {
    const stream = streams.Print?.name ?? '';
    const all = await logsJson<EventPage>(
      'get-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      stream,
      '--start-from-head',
    );
    const page = (...extra: string[]) =>
      logsJson<EventPage>(
        'get-log-events',
        '--log-group-name',
        GROUP,
        '--log-stream-name',
        stream,
        '--limit',
        '3',
        ...extra,
      );
    const first = await page('--start-from-head');
    const second = await page('--next-token', first.nextForwardToken);
    expect([...first.events, ...second.events]).toEqual(all.events.slice(0, 6));
    const back = await page('--next-token', second.nextBackwardToken);
    expect(back.events).toEqual(first.events);
    const latest = await page();
    expect(latest.events).toEqual(all.events.slice(-3));
    const end = await page('--next-token', latest.nextForwardToken);
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(latest.nextForwardToken);
  });

  it('aws logs filter-log-events finds terms and phrases across the group’s streams', async () => {
    const filter = (...extra: string[]) =>
      logsJson<{ events: (LogEvent & { logStreamName: string })[] }>(
        'filter-log-events',
        '--log-group-name',
        GROUP,
        ...extra,
      );
    const phrase = await filter('--filter-pattern', '"needle phrase"');
    expect(phrase.events.map((e) => [e.logStreamName, e.message])).toEqual([
      [streams.Print?.name, 'the needle phrase is here\n'],
    ]);
    const errors = await filter('--filter-pattern', 'ERROR -ignored');
    expect(errors.events.map((e) => e.message)).toEqual(['ERROR real failure\n']);
    const either = await filter(
      '--filter-pattern',
      '?starting ?failure -Container',
      '--log-stream-names',
      streams.Print?.name ?? '',
    );
    expect(either.events.map((e) => e.message)).toEqual([
      'starting build\n',
      'ERROR real failure\n',
    ]);
    const later = await filter('--start-time', String(Date.now() + 60_000));
    expect(later.events).toEqual([]);
    const refused = await logs(
      'filter-log-events',
      '--log-group-name',
      GROUP,
      '--filter-pattern',
      '{ $.level = "ERROR" }',
    );
    expect(refused.failed).toMatch(/InvalidParameterException.*JSON/);
  });

  it('shows a printed access key id and GitHub token as *** in lockstep logs and GetLogEvents', async () => {
    const printed = await lockstepLogs('Leak');
    const page = await logsJson<EventPage>(
      'get-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name',
      streams.Leak?.name ?? '',
    );
    const messages = page.events.map((e) => e.message).join('');
    for (const text of [printed, messages]) {
      expect(text).toContain('AWS_ACCESS_KEY_ID=***\n');
      expect(text).toContain('token *** in use\n');
      expect(text).not.toContain(AKIA);
      expect(text).not.toContain(GHP);
    }
  });

  /** `bin/lockstep logs PIPELINE EXECUTION ACTION`, run as a user would. */
  async function lockstepLogs(action: string): Promise<string> {
    const result = await runLockstep(
      [
        'logs',
        PIPELINE,
        executionId,
        action,
        '--endpoint-url',
        t.server.url,
        '--data-dir',
        t.dataDir,
      ],
      { env: isolatedEnv() },
    );
    if (result.code !== 0) throw new Error(`lockstep logs failed:\n${result.stderr}`);
    return result.stdout;
  }

  const boto3 = versionOf('python3', ['-c', 'import boto3; print(boto3.__version__)']);
  it.skipIf(boto3 === undefined)(
    'boto3 reads, pages, and is refused as IAM and the model say',
    async () => {
      const env = clientEnv(path.join(t.dataDir, 'credentials'), {
        LOCKSTEP_URL: t.server.url,
        GROUP,
        STREAM: streams.Print?.name ?? '',
      });
      const result = await runClient('python3', ['-c', BOTO3_SCRIPT], env);
      if (result.exitCode !== 0) throw new Error(`the boto3 script failed:\n${result.stderr}`);
      const report = JSON.parse(result.stdout) as Record<string, unknown>;
      const lines = report.lines as string[];
      expect(lines[0]).toBe('[Container] Running command echo "starting build"\n');
      expect(lines).toContain('line 7\n');
      expect(report.pagedLines).toEqual(lines);
      expect(report.filterPages).toBeGreaterThan(1);
      expect(report.filtered).toEqual([
        'line 1\n',
        'line 2\n',
        'line 3\n',
        'line 4\n',
        'line 5\n',
        'line 6\n',
        'line 7\n',
      ]);
      expect(report.errors).toEqual({
        missingStream: 'ResourceNotFoundException',
        missingGroup: 'ResourceNotFoundException',
        badToken: 'InvalidParameterException',
        bothGroupNames: 'InvalidParameterException',
        prefixWithTimeOrder: 'InvalidParameterException',
        otherGroupOnly: 'AccessDeniedException',
      });
      expect(report.groups).toEqual([GROUP, '/aws/codepipeline/logs-other']);
      const byTime = report.streamsByTime as string[];
      expect([...byTime].sort()).toEqual(
        [streams.Src?.name, streams.Print?.name, streams.Leak?.name].sort(),
      );
      // The source ran first, so its last event is the oldest.
      expect(byTime[byTime.length - 1]).toBe(streams.Src?.name);
      expect(report.allowedByGroupPolicy).toBe(lines.length);
    },
  );
});

const BOTO3_SCRIPT = String.raw`
import json, os, sys
import boto3, botocore.exceptions

url, group, stream = os.environ['LOCKSTEP_URL'], os.environ['GROUP'], os.environ['STREAM']
logs = boto3.client('logs', endpoint_url=url, region_name='us-east-1')
out = {}

def code(call):
    try:
        call()
        return None
    except botocore.exceptions.ClientError as error:
        return error.response['Error']['Code']

whole = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
out['lines'] = [e['message'] for e in whole['events']]

# Page two events at a time until the forward token stops changing, as the SDK docs describe.
paged, token = [], None
while True:
    args = {'nextToken': token} if token else {'startFromHead': True}
    page = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=2, **args)
    paged += [e['message'] for e in page['events']]
    if page['nextForwardToken'] == token:
        break
    token = page['nextForwardToken']
out['pagedLines'] = paged

pages = logs.get_paginator('filter_log_events').paginate(
    logGroupName=group, filterPattern='line', PaginationConfig={'PageSize': 2})
out['filterPages'] = 0
out['filtered'] = []
for page in pages:
    out['filterPages'] += 1
    out['filtered'] += [e['message'] for e in page['events'] if e['message'].startswith('line')]

out['groups'] = [g['logGroupName'] for page in logs.get_paginator('describe_log_groups').paginate(
    logGroupNamePrefix='/aws/codepipeline/logs-', PaginationConfig={'PageSize': 1})
    for g in page['logGroups']]
out['streamsByTime'] = [s['logStreamName'] for page in logs.get_paginator('describe_log_streams').paginate(
    logGroupName=group, orderBy='LastEventTime', descending=True, PaginationConfig={'PageSize': 1})
    for s in page['logStreams']]

out['errors'] = {
    'missingStream': code(lambda: logs.get_log_events(logGroupName=group, logStreamName='no/such')),
    'missingGroup': code(lambda: logs.get_log_events(logGroupName='/aws/codepipeline/none', logStreamName=stream)),
    'badToken': code(lambda: logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken='x')),
    'bothGroupNames': code(lambda: logs.describe_log_streams(logGroupName=group, logGroupIdentifier=group)),
    'prefixWithTimeOrder': code(lambda: logs.describe_log_streams(
        logGroupName=group, orderBy='LastEventTime', logStreamNamePrefix='x')),
}

# A user allowed to read only another pipeline's group is refused this one.
iam = boto3.client('iam', endpoint_url=url, region_name='us-east-1')
def reader(name, resource):
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName='read-logs', PolicyDocument=json.dumps({
        'Version': '2012-10-17',
        'Statement': [{'Effect': 'Allow', 'Action': 'logs:GetLogEvents', 'Resource': resource}],
    }))
    key = iam.create_access_key(UserName=name)['AccessKey']
    return boto3.client('logs', endpoint_url=url, region_name='us-east-1',
                        aws_access_key_id=key['AccessKeyId'],
                        aws_secret_access_key=key['SecretAccessKey'])
other = reader('other-reader', 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/codepipeline/other:*')
out['errors']['otherGroupOnly'] = code(lambda: other.get_log_events(logGroupName=group, logStreamName=stream))
mine = reader('demo-reader', 'arn:aws:logs:*:*:log-group:/aws/codepipeline/logs-*')
out['allowedByGroupPolicy'] = len(mine.get_log_events(
    logGroupName=group, logStreamName=stream, startFromHead=True)['events'])
json.dump(out, sys.stdout)
`;
