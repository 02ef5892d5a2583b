/**
 * The orchestrator's handle on the load-client process (load-client.ts): forked once, given
 * one job at a time over IPC, stopped with everything else by cleanup.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addCleanup, stopChild } from './cleanup.js';
import type { LoadFailure, LoadJob, LoadResult } from './load-job.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export class LoadClient {
  private constructor(private readonly child: ChildProcess) {}

  /** Forks the client process and resolves once it runs. */
  static async start(): Promise<LoadClient> {
    const child = fork(path.join(HERE, 'load-client.js'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    addCleanup(() => stopChild(child));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return new LoadClient(child);
  }

  /** Runs one job and resolves with its figures. */
  run(job: LoadJob): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`the load client exited with ${code}`));
      this.child.once('exit', onExit);
      this.child.once('message', (message: LoadResult | LoadFailure) => {
        this.child.off('exit', onExit);
        if (message.kind === 'result') resolve(message);
        else reject(new Error(`the load client failed: ${message.message}`));
      });
      this.child.send(job);
    });
  }
}
