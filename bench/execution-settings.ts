/**
 * The knobs of `npm run bench:executions`, from the environment (bench/README.md lists them):
 * how many sequential runs and actions, how long the throughput windows last, the run
 * concurrencies, the server's LOCKSTEP_WORKERS, the polling interval and the floor's spawns.
 */
export interface ExecutionSettings {
  /** Commands actions of the sequential pipelines (the stage shape is capped at 49). */
  actions: number;
  /** Measured runs of each sequential pipeline, after the one CreatePipeline starts. */
  sequentialRuns: number;
  durationMs: number;
  warmupMs: number;
  concurrencies: number[];
  /** LOCKSTEP_WORKERS of the servers: actions one server runs at once. */
  workers: number;
  /**
   * How often a lone waiting run asks GetPipelineExecution whether it has finished; with N runs
   * in flight each asks every N × pollMs, so that the polls cost the same at any concurrency.
   */
  pollMs: number;
  /** Processes spawned for each floor. */
  floorSpawns: number;
  postgresUrl: string | undefined;
}

/** Reads and checks the settings; throws with the variable's name when one is malformed. */
export function readExecutionSettings(): ExecutionSettings {
  const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,16').split(',').map(Number);
  if (concurrencies.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error('BENCH_CONCURRENCY must be a comma-separated list of positive integers');
  }
  const postgresUrl = process.env.LOCKSTEP_TEST_DATABASE_URL;
  const actions = Math.round(positive('BENCH_ACTIONS', 50));
  if (actions > 50) throw new Error('BENCH_ACTIONS must be at most 50 (actions in one stage)');
  return {
    actions,
    sequentialRuns: Math.round(positive('BENCH_SEQUENTIAL_RUNS', 4)),
    durationMs: positive('BENCH_SECONDS', 10) * 1000,
    warmupMs: positive('BENCH_WARMUP_SECONDS', 2) * 1000,
    concurrencies,
    workers: Math.round(positive('BENCH_WORKERS', Math.max(4, ...concurrencies))),
    pollMs: positive('BENCH_POLL_MS', 5),
    floorSpawns: Math.round(positive('BENCH_FLOOR_SPAWNS', 200)),
    postgresUrl: postgresUrl === undefined || postgresUrl === '' ? undefined : postgresUrl,
  };
}

function positive(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, not '${text}'`);
  return value;
}
