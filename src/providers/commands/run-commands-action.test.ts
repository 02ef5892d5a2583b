import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { detectBubblewrap } from '../../sandbox/detect-bubblewrap.js';
import type { CommandsActionInput } from './run-commands-action.js';
import { runCommandsAction } from './run-commands-action.js';

const bubblewrap = await detectBubblewrap();
const isolation = bubblewrap.available ? 'bubblewrap' : 'none';

const created: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `lockstep-${prefix}-`));
  created.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function setup() {
  const workspaceDir = await tempDir('commands-ws');
  const logDir = await tempDir('commands-log');
  const logFile = path.join(logDir, 'action.log');
  const run = (commands: string[], extra: Partial<CommandsActionInput> = {}) =>
    runCommandsAction({
      workspaceDir,
      commands,
      environment: {},
      outputVariables: [],
      logFile,
      timeoutMs: 20_000,
      ...extra,
    });
  const logLines = async () => (await readFile(logFile, 'utf8')).split('\n').filter(Boolean);
  return { workspaceDir, run, logLines };
}

afterEach(() => {
  delete process.env.LOCKSTEP_SANDBOX;
  delete process.env.LOCKSTEP_TEST_SERVER_SECRET;
});

describe('runCommandsAction', () => {
  it('runs the commands in one shell: exports, functions and cd carry over', async () => {
    const { run, logLines } = await setup();
    const result = await run([
      'export GREETING="hello"',
      'shout() { echo "$1!"; }',
      'mkdir -p sub && cd sub',
      'shout "$GREETING from $(basename "$PWD")"',
    ]);
    expect(result).toMatchObject({ succeeded: true, exitCode: 0, isolation });
    expect(result.summary).toBe('All 4 commands succeeded.');
    expect(await logLines()).toContain('hello from sub!');
  });

  it('logs each command before its output, in order, stderr included', async () => {
    const { run, logLines } = await setup();
    await run(['echo first', 'echo second >&2', 'printf "third\\nfourth\\n"']);
    expect(await logLines()).toEqual([
      '[Container] Running command echo first',
      'first',
      '[Container] Running command echo second >&2',
      'second',
      '[Container] Running command printf "third\\nfourth\\n"',
      'third',
      'fourth',
    ]);
  });

  it('stops at the first failing command and names it', async () => {
    const { run, logLines } = await setup();
    const result = await run(['echo one', 'ls /no/such/dir', 'echo three']);
    expect(result).toMatchObject({
      succeeded: false,
      exitCode: 2,
      failedCommand: 'ls /no/such/dir',
    });
    expect(result.summary).toBe("Command 'ls /no/such/dir' (2 of 3) failed with exit code 2.");
    const lines = await logLines();
    expect(lines).toContain(
      '[Container] Command did not exit successfully ls /no/such/dir exit status 2',
    );
    expect(lines.join('\n')).not.toContain('three');
  });

  it('names a command that ends the shell with exit', async () => {
    const { run } = await setup();
    const result = await run(['true', 'exit 5', 'echo never']);
    expect(result).toMatchObject({ succeeded: false, exitCode: 5, failedCommand: 'exit 5' });
  });

  it('exports the output variables, spaces, newlines and quotes intact', async () => {
    const { run } = await setup();
    const result = await run(
      ['export SPACED="two  words"', 'export MULTI=$\'line one\\nline "two"\'', "PLAIN='it''s'"],
      { outputVariables: ['SPACED', 'MULTI', 'PLAIN', 'NEVER_SET', 'not-a-name'] },
    );
    expect(result.succeeded).toBe(true);
    expect(result.outputVariables).toEqual({
      SPACED: 'two  words',
      MULTI: 'line one\nline "two"',
      PLAIN: 'its',
    });
    expect(result.summary).toContain('Not set, so not exported: NEVER_SET.');
    expect(result.summary).toContain('Not shell variable names, so not exported: not-a-name.');
  });

  it('refuses output variables over CodePipeline’s 122880-byte limit', async () => {
    const { run } = await setup();
    const result = await run(['export BIG=$(head -c 130000 /dev/zero | tr "\\0" x)'], {
      outputVariables: ['BIG'],
    });
    expect(result).toMatchObject({ succeeded: false, exitCode: 0, outputVariables: {} });
    expect(result.summary).toMatch(/more than CodePipeline's limit of 122880 bytes.*'BIG'/);
  });

  it('gives the commands only their environment', async () => {
    process.env.LOCKSTEP_TEST_SERVER_SECRET = 'server-only-value';
    const { run, logLines } = await setup();
    await run(['echo "secret=${LOCKSTEP_TEST_SERVER_SECRET:-unset} stage=$STAGE"'], {
      environment: { STAGE: 'beta' },
    });
    expect(await logLines()).toContain('secret=unset stage=beta');
  });

  it('leaves the commands’ files and removes its own', async () => {
    const { run, workspaceDir } = await setup();
    await run(['echo built > app.txt', 'ls -a > listing.txt']);
    expect(await readFile(path.join(workspaceDir, 'app.txt'), 'utf8')).toBe('built\n');
    // The commands saw the private directory, but it is gone afterwards.
    expect(await readFile(path.join(workspaceDir, 'listing.txt'), 'utf8')).toMatch(/\.lockstep-/);
    expect((await readdir(workspaceDir)).sort()).toEqual(['app.txt', 'listing.txt']);
  });

  it('leaves its own files to the caller when the whole workspace is discarded', async () => {
    const { run, workspaceDir } = await setup();
    const result = await run(['echo built > app.txt'], { workspaceDiscarded: true });
    expect(result.succeeded).toBe(true);
    const left = (await readdir(workspaceDir)).filter((name) => name !== 'app.txt');
    expect(left).toEqual([expect.stringMatching(/^\.lockstep-commands-[0-9a-f]{16}$/)]);
  });

  it('does not follow a link planted in place of the variables file', async () => {
    const { run } = await setup();
    const hostDir = await tempDir('host');
    const hostFile = path.join(hostDir, 'host-file');
    await writeFile(hostFile, 'STOLEN\0host-secret\0');
    const plant = `trap 'rm -f "$__lockstep_dir/output-variables"; ln -s ${hostFile} "$__lockstep_dir/output-variables"' EXIT`;
    const result = await run([plant], { outputVariables: ['STOLEN'] });
    expect(JSON.stringify(result)).not.toContain('host-secret');
  });

  it('reports a timeout with the command that was running', async () => {
    const { run } = await setup();
    const result = await run(['echo start', 'sleep 100'], { timeoutMs: 1_000 });
    expect(result).toMatchObject({ succeeded: false, failedCommand: 'sleep 100' });
    expect(result.summary).toBe(
      "The action timed out after 1000 ms while running command 'sleep 100' (2 of 2).",
    );
  });

  it('stops when aborted', async () => {
    const { run } = await setup();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const result = await run(['sleep 100'], { signal: controller.signal });
    expect(result).toMatchObject({ succeeded: false, failedCommand: 'sleep 100' });
    expect(result.summary).toMatch(/^The action was stopped while running command 'sleep 100'/);
  });

  it('without bubblewrap still runs, and passes the warning on', async () => {
    process.env.LOCKSTEP_SANDBOX = 'none';
    const { run, workspaceDir } = await setup();
    const result = await run(['export OUT=done', 'touch made'], { outputVariables: ['OUT'] });
    expect(result).toMatchObject({
      succeeded: true,
      isolation: 'none',
      outputVariables: { OUT: 'done' },
    });
    expect(result.warning).toMatch(/without isolation/);
    expect(existsSync(path.join(workspaceDir, 'made'))).toBe(true);
  });
});
