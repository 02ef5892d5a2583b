/**
 * How an execution's state is kept in its row. The declaration, which a run follows unchanged to
 * its end, is stored apart, once per distinct content (execution_declarations, keyed by SHA-256),
 * and the state row holds the rest: a decision then parses, copies and rewrites only what it can
 * change. Parsed declarations are cached by digest and frozen, so one object can serve every
 * state of every run that follows it (a digest names one content forever, in any store).
 */
import { createHash } from 'node:crypto';
import type { PipelineDeclaration } from '../pipelines/declaration.js';
import type {
  ExecutionRecord,
  ExecutionStore,
  StoredDeclaration,
} from '../store/execution-store.js';
import type { ExecutionState } from './execution-state.js';

/** Distinct declarations kept parsed; a miss costs one read and one parse. */
const DECLARATION_CACHE_SIZE = 256;
const declarations = new Map<string, PipelineDeclaration>();

/** The declaration as it is stored: its JSON and that JSON's SHA-256. */
export function storedDeclaration(declaration: PipelineDeclaration): StoredDeclaration {
  const json = JSON.stringify(declaration);
  return { sha256: createHash('sha256').update(json).digest('hex'), json };
}

/**
 * The state_json of `state` for a row that references its declaration; a row written before
 * declarations were stored apart (no reference) keeps carrying the whole state.
 */
export function stateJsonOf(state: ExecutionState, declarationSha256: string | null): string {
  if (declarationSha256 === null) return JSON.stringify(state);
  const { declaration: _stored, ...rest } = state;
  return JSON.stringify(rest);
}

/** The state of an execution row, with the declaration it follows. */
export async function readExecutionState(
  store: ExecutionStore,
  record: ExecutionRecord,
): Promise<ExecutionState> {
  const state = JSON.parse(record.stateJson) as ExecutionState;
  if (record.declarationSha256 === null) return state;
  state.declaration = await declarationOf(store, record.declarationSha256, record.id);
  return state;
}

async function declarationOf(
  store: ExecutionStore,
  sha256: string,
  executionId: string,
): Promise<PipelineDeclaration> {
  const cached = declarations.get(sha256);
  if (cached) {
    // Least recently used goes first: re-inserting moves the entry to the end.
    declarations.delete(sha256);
    declarations.set(sha256, cached);
    return cached;
  }
  const json = await store.getDeclaration(sha256);
  if (json === undefined) {
    throw new Error(`the declaration ${sha256} of execution ${executionId} is missing`);
  }
  const declaration = deepFreeze(JSON.parse(json) as PipelineDeclaration);
  if (declarations.size >= DECLARATION_CACHE_SIZE) {
    const oldest = declarations.keys().next().value;
    if (oldest !== undefined) declarations.delete(oldest);
  }
  declarations.set(sha256, declaration);
  return declaration;
}

/** Freezes a parsed JSON value throughout: shared between states, it must never change. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
