/**
 * The pipeline-definition half of the CodePipeline API: create, read (any kept version),
 * update (a new version each time), delete and list pipelines. Input has already passed model
 * validation; this applies CodePipeline's own rules and keeps the store consistent.
 */
import {
  ConcurrentModificationException,
  PipelineNameInUseException,
  PipelineNotFoundException,
  PipelineVersionNotFoundException,
} from '../errors/codepipeline-errors.js';
import type { PipelineRecord, StateStore } from '../store/state-store.js';
import { PipelineNameTakenError, StaleVersionError } from '../store/state-store.js';
import type { PipelineDeclaration, Tag } from './declaration.js';
import { withDeclarationDefaults } from './declaration-defaults.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { pipelineArn, type AccountScope } from './pipeline-arn.js';
import { maskSecretConfiguration, restoreMaskedSecrets } from './secret-configuration.js';
import { checkNoPlaintextCredentials } from './plaintext-credentials.js';
import { checkPipelineStructure } from './structure-rules.js';
import type { ActionTypeService, FindActionType } from './action-type-service.js';
import { checkTagCount, checkTagKeys } from './tag-rules.js';

export interface PipelineMetadata {
  pipelineArn: string;
  created: Date;
  updated: Date;
}

export interface PipelineSummary {
  name: string;
  version: number;
  pipelineType: string;
  executionMode: string;
  created: Date;
  updated: Date;
}

const DEFAULT_PAGE_SIZE = 100;

export class PipelineService {
  constructor(
    private readonly store: StateStore,
    private readonly scope: AccountScope,
    private readonly actionTypes: Pick<ActionTypeService, 'resolver'>,
    private readonly rules: { refusePlaintextCredentials: boolean } = {
      refusePlaintextCredentials: true,
    },
  ) {}

  /** CreatePipeline: stores version 1 and returns the declaration as GetPipeline would. */
  async create(
    decl: PipelineDeclaration,
    tags: Tag[] = [],
  ): Promise<{
    pipeline: PipelineDeclaration;
    tags?: Tag[];
  }> {
    const findActionType = await this.actionTypes.resolver();
    const stored = this.prepare(decl, 1, findActionType);
    checkTagKeys(tags);
    const arn = pipelineArn(this.scope, decl.name);
    checkTagCount(arn, tags.length);
    const nowMs = Date.now();
    const record: PipelineRecord = {
      name: decl.name,
      arn,
      version: 1,
      pipelineType: stored.pipelineType ?? 'V1',
      executionMode: stored.executionMode ?? 'SUPERSEDED',
      createdMs: nowMs,
      updatedMs: nowMs,
    };
    try {
      await this.store.createPipeline(record, JSON.stringify(stored));
    } catch (error) {
      if (error instanceof PipelineNameTakenError) {
        throw new PipelineNameInUseException(
          `A pipeline with the name '${decl.name}' already exists in account '${this.scope.accountId}'`,
          { cause: error },
        );
      }
      throw error;
    }
    if (tags.length > 0) await this.store.putTags(arn, tags);
    return {
      pipeline: maskSecretConfiguration(stored, findActionType),
      ...(tags.length > 0 ? { tags } : {}),
    };
  }

  /** GetPipeline: the current version, or a kept older one, with secrets masked. */
  async get(
    name: string,
    version?: number,
  ): Promise<{
    pipeline: PipelineDeclaration;
    metadata: PipelineMetadata;
  }> {
    const record = await this.require(name);
    const wanted = version ?? record.version;
    const row = await this.store.getPipelineVersion(name, wanted);
    if (!row) {
      throw new PipelineVersionNotFoundException(
        `Pipeline '${name}' has no version ${wanted}; its latest version is ${record.version}`,
      );
    }
    const decl = JSON.parse(row.declarationJson) as PipelineDeclaration;
    return { pipeline: await this.masked(decl), metadata: metadataOf(record) };
  }

  /** The current declaration with secrets in clear, for the engine only; never for output. */
  async getUnmasked(
    name: string,
  ): Promise<{ pipeline: PipelineDeclaration; record: PipelineRecord }> {
    const record = await this.require(name);
    const row = await this.store.getPipelineVersion(name, record.version);
    if (!row) throw this.notFound(name);
    return { pipeline: JSON.parse(row.declarationJson) as PipelineDeclaration, record };
  }

  /** UpdatePipeline: stores the next version; a masked secret sent back keeps its old value. */
  async update(decl: PipelineDeclaration): Promise<{ pipeline: PipelineDeclaration }> {
    const current = await this.require(decl.name);
    const previousRow = await this.store.getPipelineVersion(decl.name, current.version);
    const previous = JSON.parse(
      previousRow?.declarationJson ?? 'null',
    ) as PipelineDeclaration | null;
    const findActionType = await this.actionTypes.resolver();
    const restored = previous ? restoreMaskedSecrets(decl, previous, findActionType) : decl;
    const stored = this.prepare(restored, current.version + 1, findActionType);
    const next = {
      pipelineType: stored.pipelineType ?? 'V1',
      executionMode: stored.executionMode ?? 'SUPERSEDED',
      updatedMs: Date.now(),
    };
    try {
      const updated = await this.store.updatePipeline(
        decl.name,
        current.version,
        next,
        JSON.stringify(stored),
      );
      if (!updated) throw this.notFound(decl.name);
    } catch (error) {
      if (error instanceof StaleVersionError) {
        throw new ConcurrentModificationException(
          `Pipeline '${decl.name}' was updated by another request while this one ran; ` +
            'read it again and retry.',
          { cause: error },
        );
      }
      throw error;
    }
    return { pipeline: maskSecretConfiguration(stored, findActionType) };
  }

  /** DeletePipeline: removes the pipeline, its versions and its tags; a missing one is fine. */
  async delete(name: string): Promise<void> {
    await this.store.deletePipeline(name);
  }

  /** ListPipelines: summaries in name order, paged. */
  async list(
    nextToken?: string,
    maxResults?: number,
  ): Promise<{
    pipelines: PipelineSummary[];
    nextToken?: string;
  }> {
    const after = decodePageToken('pipelines', nextToken);
    const limit = maxResults ?? DEFAULT_PAGE_SIZE;
    // One more than asked tells whether another page exists without a second query.
    const rows = await this.store.listPipelines(after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      pipelines: page.map(summaryOf),
      ...(rows.length > limit && last
        ? { nextToken: encodePageToken('pipelines', last.name) }
        : {}),
    };
  }

  /** The current record of a pipeline, or PipelineNotFoundException. */
  async require(name: string): Promise<PipelineRecord> {
    const record = await this.store.getPipeline(name);
    if (!record) throw this.notFound(name);
    return record;
  }

  private notFound(name: string) {
    return new PipelineNotFoundException(
      `Account '${this.scope.accountId}' does not have a pipeline with name '${name}'`,
    );
  }

  private prepare(
    decl: PipelineDeclaration,
    version: number,
    findActionType: FindActionType,
  ): PipelineDeclaration {
    checkPipelineStructure(decl, { region: this.scope.region, findActionType });
    if (this.rules.refusePlaintextCredentials) checkNoPlaintextCredentials(decl, findActionType);
    return withDeclarationDefaults(decl, version);
  }

  /** A copy of a declaration with its secret configuration masked, for output and audit. */
  async masked(decl: PipelineDeclaration): Promise<PipelineDeclaration> {
    return maskSecretConfiguration(decl, await this.actionTypes.resolver());
  }
}

function metadataOf(record: PipelineRecord): PipelineMetadata {
  return {
    pipelineArn: record.arn,
    created: new Date(record.createdMs),
    updated: new Date(record.updatedMs),
  };
}

function summaryOf(record: PipelineRecord): PipelineSummary {
  return {
    name: record.name,
    version: record.version,
    pipelineType: record.pipelineType,
    executionMode: record.executionMode,
    created: new Date(record.createdMs),
    updated: new Date(record.updatedMs),
  };
}
