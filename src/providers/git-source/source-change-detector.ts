/**
 * DetectChanges for git sources: every interval, the head of each watched branch is compared
 * with the last one seen, and a change starts a run (trigger PollForSourceChanges), as
 * CodePipeline does for a CodeStarSourceConnection action unless DetectChanges is "false".
 * The last head seen is a setting replaced by compare-and-set, so replicas sharing one
 * database start one run per change, not one each.
 */
import type { ExecutionService } from '../../engine/execution-service.js';
import type { ConnectionService } from '../../connections/connection-service.js';
import type { ActionDeclaration, PipelineDeclaration } from '../../pipelines/declaration.js';
import type { PipelineService } from '../../pipelines/pipeline-service.js';
import type { StateStore } from '../../store/state-store.js';
import type { GitTransport } from './git-transport.js';
import { credentialsFromSecret } from './git-source-provider.js';
import { latestCommit } from './latest-commit.js';
import { repositoryUrlFor } from './repository-url.js';

const GIT_SOURCE = 'CodeStarSourceConnection';

export interface ChangeDetectorDependencies {
  store: StateStore;
  pipelines: PipelineService;
  executions: ExecutionService;
  connections: ConnectionService;
  intervalMs: number;
  /** The operator's settings for https and ssh hosts. */
  gitTransport?: GitTransport;
  /** Reads a connection's credentials secret as `roleArn`; absent, such connections fail. */
  readSecret?(secretArn: string, roleArn: string): Promise<string>;
  logError(message: string, error: unknown): void;
}

export class SourceChangeDetector {
  private timer: NodeJS.Timeout | undefined;
  /** The look under way, if any: one at a time, and stop() waits for it. */
  private checking: Promise<void> | undefined;

  constructor(private readonly deps: ChangeDetectorDependencies) {}

  start(): void {
    this.timer = setInterval(() => void this.checkAll(), this.deps.intervalMs);
  }

  /** Stops polling; resolves once a look under way has finished, with no git left running. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }

  /** Looks at every watched branch once (or joins the look under way). */
  checkAll(): Promise<void> {
    this.checking ??= this.checkEveryPipeline().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkEveryPipeline(): Promise<void> {
    try {
      let token: string | undefined;
      do {
        const page = await this.deps.pipelines.list(token, 100);
        for (const summary of page.pipelines) await this.checkPipeline(summary.name);
        token = page.nextToken;
      } while (token);
    } catch (error) {
      this.deps.logError('source change detection failed', error);
    }
  }

  private async checkPipeline(name: string): Promise<void> {
    const { pipeline, record } = await this.deps.pipelines.getUnmasked(name);
    for (const action of watchedSources(pipeline)) {
      try {
        const changed = await this.recordHead(pipeline, action);
        if (!changed) continue;
        await this.deps.executions.start({
          pipelineName: name,
          pipelineVersion: record.version,
          declaration: pipeline,
          trigger: { triggerType: 'PollForSourceChanges', triggerDetail: action.name },
        });
      } catch (error) {
        this.deps.logError(`checking ${name}/${action.name} for changes failed`, error);
      }
    }
  }

  /** The operator's transport, plus the connection's own credentials when it has a secret. */
  private async transportFor(connectionArn: string, roleArn: string): Promise<GitTransport> {
    const connection = await this.deps.connections.get(connectionArn);
    const secretArn = connection.credentialsSecretArn;
    if (secretArn === undefined) return this.deps.gitTransport ?? {};
    if (this.deps.readSecret === undefined) {
      throw new Error(`the credentials secret ${secretArn} cannot be read here`);
    }
    // Read as the source action's role, as the action itself would read it.
    const value = await this.deps.readSecret(secretArn, roleArn);
    const credentials = credentialsFromSecret(value, {
      endpoint: connection.endpoint ?? '',
      providerType: connection.providerType,
    });
    return { ...this.deps.gitTransport, ...credentials };
  }

  /** Stores the branch's head; true when it moved since the last look. */
  private async recordHead(
    pipeline: PipelineDeclaration,
    action: ActionDeclaration,
  ): Promise<boolean> {
    const config = action.configuration ?? {};
    const endpoint = await this.deps.connections.endpointOf(config.ConnectionArn ?? '');
    const url = repositoryUrlFor(endpoint, config.FullRepositoryId ?? '');
    const head = await latestCommit(url, config.BranchName ?? '', {
      transport: await this.transportFor(
        config.ConnectionArn ?? '',
        action.roleArn ?? pipeline.roleArn,
      ),
    });
    const key = lastSeenKey(pipeline.name, action.name);
    const seen = await this.deps.store.initSetting(key, head);
    if (seen === head) return false;
    return this.deps.store.compareAndSetSetting(key, seen, head);
  }
}

/** The setting that holds the last head seen for a source action. */
export function lastSeenKey(pipelineName: string, actionName: string): string {
  return `source-head:${pipelineName}:${actionName}`;
}

function watchedSources(pipeline: PipelineDeclaration): ActionDeclaration[] {
  // A V2 pipeline with triggers replaces change detection (the model's documentation).
  if ((pipeline.triggers ?? []).length > 0) return [];
  return (pipeline.stages[0]?.actions ?? []).filter(
    (a) => a.actionTypeId.provider === GIT_SOURCE && a.configuration?.DetectChanges !== 'false',
  );
}
