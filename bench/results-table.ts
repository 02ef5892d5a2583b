/**
 * The benchmark's output: one Markdown table, so the figures paste straight into
 * bench/README.md, with each real server's rows right under the floor row they compare to.
 */
import type { LoadResult } from './load-job.js';

export interface ResultRow {
  scenario: string;
  engine: string;
  concurrency: number;
  result: LoadResult;
}

const HEADER = [
  'scenario',
  'engine',
  'concurrency',
  'req/s',
  'p50 ms',
  'p99 ms',
  'errors',
  'client CPU',
  'server CPU',
  'db CPU',
  'server µs/req',
  'machine CPU',
];
const RIGHT_ALIGNED_FROM = 2;

/** Renders the rows, ordered by scenario, then concurrency, then the given engine order. */
export function renderResultsTable(rows: ResultRow[], engineOrder: string[]): string {
  const rank = (engine: string) => engineOrder.indexOf(engine);
  const sorted = [...rows].sort(
    (a, b) =>
      a.scenario.localeCompare(b.scenario) ||
      a.concurrency - b.concurrency ||
      rank(a.engine) - rank(b.engine),
  );
  const cells = [HEADER, ...sorted.map(rowCells)];
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

/** The error descriptions of rows that had errors, one line each; empty when none did. */
export function renderErrorNotes(rows: ResultRow[]): string[] {
  return rows
    .filter((row) => row.result.errors > 0)
    .map(
      (row) =>
        `${row.scenario} on ${row.engine} at concurrency ${row.concurrency}: ` +
        row.result.errorSamples.join('; '),
    );
}

function rowCells(row: ResultRow): string[] {
  const { result } = row;
  return [
    row.scenario,
    row.engine,
    String(row.concurrency),
    ((result.requests * 1000) / result.elapsedMs).toFixed(0),
    result.p50Ms.toFixed(2),
    result.p99Ms.toFixed(2),
    String(result.errors),
    percent(result.clientCpuPct),
    percent(result.serverCpuPct),
    percent(result.databaseCpuPct),
    cpuMicrosPerRequest(result),
    percent(result.machineBusyPct),
  ];
}

// The server's own CPU time per answered request: what a request costs, whatever the cores.
function cpuMicrosPerRequest(result: LoadResult): string {
  if (result.serverCpuPct === null || result.requests === 0) return '-';
  const cpuMicros = (result.serverCpuPct / 100) * result.elapsedMs * 1000;
  return (cpuMicros / result.requests).toFixed(0);
}

function percent(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(0)}%`;
}
