/**
 * Redaction where action logs are written, on a real server running real builds: a CodeBuild
 * buildspec and a Commands action print a GitLab token, an AWS secret access key after its
 * variable name, a private key block and a Slack token, and none of them reaches any file under
 * DIR/logs, where `***` stands instead. The times file beside each log dates its lines: two
 * lines printed more than a second apart come back from GetLogEvents that far apart.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { CreatePipelineCommand, ListActionExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientEnv, runClient } from '../e2e/support/run-client.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { PIPELINE_ROLE_ARN } from '../support/pipeline-role.js';
import {
  eventually,
  executionStatus,
  gitSource,
  gitSourceAction,
} from '../support/pipeline-runs.js';
import { readActionLogFile } from './executions/support.js';

const PIPELINE = 'redacted';
// Every credential is put together by the shell at run time: only the output holds it whole.
const GLPAT = 'glpat-Zx9Yw8Vu7tS6rQ5pO433';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SLACK = 'xoxb-000000000005-abcdefghij';
const KEY_LINES = [
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
];
const KEY_FILE = [
  '-----BEGIN RSA PRIVATE KEY-----',
  ...KEY_LINES,
  '-----END RSA PRIVATE KEY-----',
  '',
];

const BUILDSPEC = `version: 0.2
phases:
  build:
    commands:
      - echo "gitlab token glpat-$(printf 'Zx9Yw8Vu7tS6rQ5pO4%s' 33)"
      - cat deploy-key.pem
      - echo "build done"
`;

const COMMANDS = [
  'echo "first line"',
  'sleep 1.2',
  `echo "export AWS_SECRET_ACCESS_KEY=$(printf 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY%s' EXAMPLEKEY)"`,
  `echo "slack xoxb-$(printf '%012d' 5)-abcdefghij"`,
  'echo "second line"',
];

/** Every file under `dir`, with its contents. */
async function filesUnder(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(file, await readFile(file, 'utf8'));
  }
  return files;
}

describe('action logs are redacted as they are written', () => {
  let t: TestServer;
  let executionId = '';

  beforeAll(async () => {
    t = await startTestServer();
    const source = await gitSource(t);
    await source.commit('deploy-key.pem', KEY_FILE.join('\n'), 'a key that should not be here');
    await source.commit('buildspec.yml', BUILDSPEC, 'buildspec');
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
                  name: 'Build',
                  actionTypeId: {
                    category: 'Build',
                    owner: 'AWS',
                    provider: 'CodeBuild',
                    version: '1',
                  },
                  configuration: { ProjectName: 'app' },
                  inputArtifacts: [{ name: 'Code' }],
                },
                {
                  name: 'Run',
                  actionTypeId: {
                    category: 'Compute',
                    owner: 'AWS',
                    provider: 'Commands',
                    version: '1',
                  },
                  inputArtifacts: [{ name: 'Code' }],
                  commands: COMMANDS,
                },
              ],
            },
          ],
        },
      }),
    );
    await eventually(async () => {
      const out = await t.client.send(new ListActionExecutionsCommand({ pipelineName: PIPELINE }));
      executionId = out.actionExecutionDetails?.[0]?.pipelineExecutionId ?? '';
      expect(await executionStatus(t.client, PIPELINE, executionId)).toBe('Succeeded');
    }, 60_000);
  }, 90_000);
  afterAll(() => t?.stop());

  it('writes no credential to any file under DIR/logs, and *** in its place', async () => {
    const files = await filesUnder(path.join(t.dataDir, 'logs'));
    const logs = [...files.entries()].filter(([file]) => file.endsWith('.log'));
    expect(logs.length).toBeGreaterThanOrEqual(3);
    // Logs are sealed at rest: what the actions printed is checked once opened, as read back.
    const opened = await Promise.all(logs.map(([file]) => readActionLogFile(t.dataDir, file)));
    const everything = [...files.values(), ...opened].join('\n');
    for (const secret of [GLPAT, AWS_SECRET, SLACK, ...KEY_LINES]) {
      expect(everything).not.toContain(secret);
    }
    expect([...files.values()].join('\n')).not.toContain('build done');
    expect(everything).toContain('gitlab token ***\n');
    expect(everything).toContain('\n***\n');
    expect(everything).toContain('export AWS_SECRET_ACCESS_KEY=***\n');
    expect(everything).toContain('slack ***\n');
    expect(everything).toContain('build done\n');
    // Beside each log, when its lines were written.
    for (const [file] of logs) expect(files.get(`${file}.times`)).toMatch(/^\d+ \d{13}\n/);
  });

  it('dates each line when it was written', async () => {
    const out = await t.client.send(new ListActionExecutionsCommand({ pipelineName: PIPELINE }));
    const run = out.actionExecutionDetails?.find((d) => d.actionName === 'Run');
    const stream = run?.output?.executionResult?.logStreamARN?.split(':log-stream:')[1] ?? '';
    const env = clientEnv(path.join(t.dataDir, 'credentials'));
    const result = await runClient(
      'aws',
      [
        ...['logs', 'get-log-events', '--log-group-name', `/aws/codepipeline/${PIPELINE}`],
        ...['--log-stream-name', stream, '--start-from-head'],
        ...['--endpoint-url', t.server.url, '--region', 'us-east-1', '--output', 'json'],
      ],
      env,
    );
    expect(result.stderr).toBe('');
    const { events } = JSON.parse(result.stdout) as {
      events: { timestamp: number; message: string }[];
    };
    const at = (message: string) => events.find((e) => e.message === message)?.timestamp ?? NaN;
    expect(at('second line\n') - at('first line\n')).toBeGreaterThanOrEqual(1000);
  });
});
