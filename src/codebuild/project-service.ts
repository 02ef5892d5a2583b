/**
 * CodeBuild build projects: CreateProject, BatchGetProjects, ListProjects and DeleteProject as
 * CodeBuild answers them. Lockstep keeps a project for what a CodePipeline CodeBuild action
 * takes from it (its buildspec); the rest is stored and returned as given.
 */
import { LockstepError } from '../errors/lockstep-error.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import {
  CodeBuildProjectExistsError,
  type CodeBuildProjectRecord,
  type CodeBuildProjectStore,
} from '../store/codebuild-project-store.js';

function modelled(code: string) {
  return class extends LockstepError {
    constructor(message: string) {
      super(code, message);
    }
  };
}

// Named as in models/codebuild/2016-10-06/service-2.json, so SDKs map them to their classes.
/** A project by that name exists. */
export const ResourceAlreadyExistsException = modelled('ResourceAlreadyExistsException');
/** No project by that name. */
export const ResourceNotFoundException = modelled('ResourceNotFoundException');
/** Input the model allows but CodeBuild refuses. */
export const InvalidInputException = modelled('InvalidInputException');

/** ListProjects answers at most this many names a page, as CodeBuild does. */
const PAGE_SIZE = 100;

/** CreateProject's input, as far as Lockstep reads it; other members are kept as given. */
export interface CreateProjectInput {
  name: string;
  source: { type: string; buildspec?: string; [member: string]: unknown };
  artifacts: { type: string; [member: string]: unknown };
  environment: Record<string, unknown>;
  serviceRole: string;
  timeoutInMinutes?: number;
  queuedTimeoutInMinutes?: number;
  tags?: { key?: string; value?: string }[];
  badgeEnabled?: boolean;
  [member: string]: unknown;
}

/** The Project shape of the CodeBuild API. */
export type Project = Record<string, unknown> & { name: string; arn: string };

export interface ListProjectsInput {
  sortBy?: 'NAME' | 'CREATED_TIME' | 'LAST_MODIFIED_TIME';
  sortOrder?: 'ASCENDING' | 'DESCENDING';
  nextToken?: string;
}

/** The ARN of a build project: `arn:aws:codebuild:<region>:<account>:project/<name>`. */
export function codeBuildProjectArn(scope: AccountScope, name: string): string {
  return `arn:aws:codebuild:${scope.region}:${scope.accountId}:project/${name}`;
}

/** The project's `source.buildspec` (inline YAML or a path in the source), if set. */
export function projectBuildspec(record: CodeBuildProjectRecord): string | undefined {
  const source = record.project.source as { buildspec?: unknown } | undefined;
  return typeof source?.buildspec === 'string' && source.buildspec.trim() !== ''
    ? source.buildspec
    : undefined;
}

/** The build projects of one account and region. */
export class CodeBuildProjectService {
  constructor(
    private readonly store: CodeBuildProjectStore,
    private readonly scope: AccountScope,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a project; ResourceAlreadyExistsException if the name is taken. */
  async create(input: CreateProjectInput): Promise<Project> {
    checkSourceAndArtifacts(input);
    const { name, badgeEnabled, ...definition } = input;
    const project: Record<string, unknown> = {
      timeoutInMinutes: 60,
      queuedTimeoutInMinutes: 480,
      tags: [],
      ...definition,
      badge: { badgeEnabled: badgeEnabled ?? false },
      projectVisibility: 'PRIVATE',
    };
    const nowMs = this.now();
    const record = { name, project, createdMs: nowMs, updatedMs: nowMs };
    try {
      await this.store.create(record);
    } catch (error) {
      if (error instanceof CodeBuildProjectExistsError) {
        throw new ResourceAlreadyExistsException(
          `Project already exists: ${codeBuildProjectArn(this.scope, name)}`,
        );
      }
      throw error;
    }
    return this.wire(record);
  }

  /** The projects named (by name or ARN), in the order asked, and the names not found. */
  async batchGet(names: string[]): Promise<{ projects: Project[]; projectsNotFound: string[] }> {
    const projects: Project[] = [];
    const projectsNotFound: string[] = [];
    for (const asked of new Set(names)) {
      const name = this.nameOf(asked);
      const record = name === undefined ? undefined : await this.store.get(name);
      if (record) projects.push(this.wire(record));
      else projectsNotFound.push(asked);
    }
    return { projects, projectsNotFound };
  }

  /** One page of project names, sorted as asked (by name, ascending, when not asked). */
  async list(input: ListProjectsInput): Promise<{ projects: string[]; nextToken?: string }> {
    const offset = input.nextToken === undefined ? 0 : decodeToken(input.nextToken);
    const key = (r: CodeBuildProjectRecord): string | number =>
      input.sortBy === 'CREATED_TIME'
        ? r.createdMs
        : input.sortBy === 'LAST_MODIFIED_TIME'
          ? r.updatedMs
          : r.name;
    const sign = input.sortOrder === 'DESCENDING' ? -1 : 1;
    const sorted = (await this.store.list()).sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      if (ka === kb) return a.name < b.name ? -1 : 1;
      return (ka < kb ? -1 : 1) * sign;
    });
    const page = sorted.slice(offset, offset + PAGE_SIZE).map((r) => r.name);
    const next = offset + PAGE_SIZE;
    return next < sorted.length
      ? { projects: page, nextToken: encodeToken(next) }
      : { projects: page };
  }

  /** Deletes a project; ResourceNotFoundException if there is none by that name. */
  async delete(nameOrArn: string): Promise<void> {
    const name = this.nameOf(nameOrArn);
    if (name === undefined || !(await this.store.delete(name))) {
      throw new ResourceNotFoundException(`Project not found: ${nameOrArn}`);
    }
  }

  /** The project, if one by that name (or ARN) is registered. */
  async find(nameOrArn: string): Promise<CodeBuildProjectRecord | undefined> {
    const name = this.nameOf(nameOrArn);
    return name === undefined ? undefined : this.store.get(name);
  }

  /** A project name from a name or this account's project ARN; undefined for a foreign ARN. */
  private nameOf(nameOrArn: string): string | undefined {
    if (!nameOrArn.startsWith('arn:')) return nameOrArn;
    const prefix = codeBuildProjectArn(this.scope, '');
    return nameOrArn.startsWith(prefix) ? nameOrArn.slice(prefix.length) : undefined;
  }

  private wire(record: CodeBuildProjectRecord): Project {
    return {
      name: record.name,
      arn: codeBuildProjectArn(this.scope, record.name),
      ...record.project,
      created: new Date(record.createdMs),
      lastModified: new Date(record.updatedMs),
    };
  }
}

/** CodeBuild's pairing rules between a project's source and its artifacts. */
function checkSourceAndArtifacts(input: CreateProjectInput): void {
  const fromPipeline = input.source.type === 'CODEPIPELINE';
  if (fromPipeline !== (input.artifacts.type === 'CODEPIPELINE')) {
    throw new InvalidInputException(
      'Project source type CODEPIPELINE and artifacts type CODEPIPELINE must be used together',
    );
  }
  if (input.source.type === 'NO_SOURCE' && !input.source.buildspec?.trim()) {
    throw new InvalidInputException(
      'Project buildspec cannot be empty when source type is NO_SOURCE',
    );
  }
  if (!fromPipeline && input.source.type !== 'NO_SOURCE' && !input.source.location) {
    throw new InvalidInputException(
      `Source location is required for source type ${input.source.type}`,
    );
  }
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

function decodeToken(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      offset?: unknown;
    };
    if (Number.isSafeInteger(parsed.offset) && (parsed.offset as number) > 0) {
      return parsed.offset as number;
    }
  } catch {
    // An unreadable token is refused below like a well-formed wrong one.
  }
  throw new InvalidInputException('Invalid nextToken');
}
