/**
 * The execution benchmark's output: one Markdown table, so the figures paste straight into
 * bench/README.md, the floors first and each engine's rows after them.
 */
import type { CpuUsage } from './cpu-window.js';
import { percentile } from './latency-percentile.js';

export interface ExecutionRow {
  scenario: string;
  engine: string;
  /** Runs in flight; 1 for the sequential and floor rows. */
  concurrency: number;
  /** Wall times in milliseconds: of one action, one run, or one spawn. */
  samplesMs: number[];
  /** Set for throughput rows: the measured window's length. */
  windowMs?: number;
  /** Set for action rows: the floor subtracted from each action's wall time. */
  floorMs?: number;
  /** CPU over the measured window (for a floor: this process as the server), divided by units. */
  cpu?: CpuUsage;
  /** Actions or runs the CPU figures are divided by. */
  units?: number;
}

const HEADER = [
  'scenario',
  'engine',
  'conc.',
  'samples',
  'runs/s',
  'p50 ms',
  'p99 ms',
  'p50 − floor',
  'p99 − floor',
  'server CPU ms',
  'children CPU ms',
  'db CPU ms',
  'kernel CPU ms',
  'machine CPU',
  'unattributed CPU',
];
const RIGHT_ALIGNED_FROM = 2;

/** Renders the rows in the order given. */
export function renderExecutionTable(rows: ExecutionRow[]): string {
  const cells = [HEADER, ...rows.map(rowCells)];
  const widths = HEADER.map((_, column) =>
    Math.max(...cells.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: string[]) =>
    `| ${row
      .map((cell, column) =>
        column >= RIGHT_ALIGNED_FROM
          ? cell.padStart(widths[column] ?? 0)
          : cell.padEnd(widths[column] ?? 0),
      )
      .join(' | ')} |`;
  const rule = `|${widths
    .map((width, column) =>
      column >= RIGHT_ALIGNED_FROM ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2),
    )
    .join('|')}|`;
  return [line(HEADER), rule, ...cells.slice(1).map(line)].join('\n');
}

/** The p50 and p99 of wall times, in milliseconds. */
export function p50p99(samplesMs: number[]): { p50: number; p99: number } {
  const sorted = Float64Array.from(samplesMs).sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

function rowCells(row: ExecutionRow): string[] {
  const { p50, p99 } = p50p99(row.samplesMs);
  const minusFloor = (value: number) =>
    row.floorMs === undefined ? '-' : (value - row.floorMs).toFixed(2);
  const perUnit = (ms: number | null | undefined) =>
    ms === null || ms === undefined || !row.units ? '-' : (ms / row.units).toFixed(2);
  return [
    row.scenario,
    row.engine,
    String(row.concurrency),
    String(row.samplesMs.length),
    row.windowMs === undefined ? '-' : ((row.samplesMs.length * 1000) / row.windowMs).toFixed(1),
    p50.toFixed(2),
    p99.toFixed(2),
    minusFloor(p50),
    minusFloor(p99),
    perUnit(row.cpu?.serverMs),
    perUnit(row.cpu?.childrenMs),
    perUnit(row.cpu?.databaseMs),
    perUnit(row.cpu?.kernelMs),
    percent(row.cpu?.machineBusyPct),
    percent(row.cpu?.unattributedPct),
  ];
}

function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${value.toFixed(0)}%`;
}
