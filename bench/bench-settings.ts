/**
 * The benchmark's knobs, from the environment: BENCH_SECONDS, BENCH_WARMUP_SECONDS,
 * BENCH_CONCURRENCY, BENCH_PIPELINES and LOCKSTEP_TEST_DATABASE_URL (bench/README.md).
 */
export interface Settings {
  durationMs: number;
  warmupMs: number;
  concurrencies: number[];
  pipelines: number;
  postgresUrl: string | undefined;
}

/** Reads and checks the settings; throws with the variable's name when one is malformed. */
export function readSettings(): Settings {
  const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,16').split(',').map(Number);
  if (concurrencies.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error('BENCH_CONCURRENCY must be a comma-separated list of positive integers');
  }
  const postgresUrl = process.env.LOCKSTEP_TEST_DATABASE_URL;
  return {
    durationMs: positive('BENCH_SECONDS', 5) * 1000,
    warmupMs: positive('BENCH_WARMUP_SECONDS', 1) * 1000,
    concurrencies,
    pipelines: Math.round(positive('BENCH_PIPELINES', 50)),
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
