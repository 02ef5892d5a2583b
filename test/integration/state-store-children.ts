import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { OpenStateStoreOptions } from '../../src/store/open-state-store.js';

/**
 * The children import the *built* store: Node 20 cannot run TypeScript by itself and tsx is
 * not a dependency. `npm test` builds first; after editing src/store/, run
 * `npx tsc -p tsconfig.build.json` before `npx vitest run` or the children run stale code.
 */
const BUILT_STORE = fileURLToPath(
  new URL('../../dist/src/store/open-state-store.js', import.meta.url),
);
const CHILD_SCRIPT = fileURLToPath(
  new URL('../fixtures/state-store/migrate-child.mjs', import.meta.url),
);

const CHILD_TIMEOUT_MS = 30_000;

export interface ChildResult {
  exitCode: number | null;
  /** What the child's initSetting('first-migrator', its pid) returned. */
  settingValue: string | undefined;
  stderr: string;
}

/**
 * Starts `count` node processes, waits until each has loaded the store, then tells them all
 * at once to open (and so migrate) the same database.
 */
export async function migrateInChildProcesses(
  options: OpenStateStoreOptions,
  count: number,
): Promise<ChildResult[]> {
  if (!existsSync(BUILT_STORE)) {
    throw new Error(`${BUILT_STORE} is missing: run \`npx tsc -p tsconfig.build.json\` first`);
  }
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, [CHILD_SCRIPT, BUILT_STORE, JSON.stringify(options)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const started = children.map((child) => {
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const lines: string[] = [];
    // A child that died early closes its stdin; its exit code and stderr report that.
    child.stdin.on('error', () => {});
    // Never leave a stuck child behind the test: kill it well before the test times out.
    const killTimer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    const exited = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        clearTimeout(killTimer);
        resolve(code);
      }),
    );
    const ready = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        if (line === 'ready') resolve();
      });
      void exited.then(() => resolve());
    });
    return { child, ready, exited, lines, stderr: () => stderr };
  });
  await Promise.all(started.map((entry) => entry.ready));
  for (const entry of started) entry.child.stdin.end('go\n');
  return Promise.all(
    started.map(async (entry) => {
      const exitCode = await entry.exited;
      const last = entry.lines.at(-1);
      const parsed = last?.startsWith('{') ? (JSON.parse(last) as { value: string }) : undefined;
      return { exitCode, settingValue: parsed?.value, stderr: entry.stderr() };
    }),
  );
}
