/**
 * `lockstep pipelines list|get|create|update|delete`: the pipeline API from a shell, through
 * the same CodePipeline wire protocol the AWS CLI uses (it is the AWS SDK underneath).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  CreatePipelineCommand,
  DeletePipelineCommand,
  GetPipelineCommand,
  UpdatePipelineCommand,
  paginateListPipelines,
  type PipelineDeclaration,
  type PipelineSummary,
  type Tag,
} from '@aws-sdk/client-codepipeline';
import {
  codePipelineClient,
  outputFormat,
  withClientOptions,
  type ClientFlags,
} from './client-options.js';
import { formatTime, renderTable } from './render-table.js';

type Print = (text: string) => void;

/** Adds `pipelines` and its subcommands to the program. */
export function addPipelinesCommand(program: Command, print: Print): void {
  const pipelines = program.command('pipelines').description('manage pipeline declarations');
  withClientOptions(pipelines.command('list').description('list pipelines')).action(
    async (flags: ClientFlags) => print(await listPipelines(flags)),
  );
  withClientOptions(pipelines.command('get <name>').description("print a pipeline's declaration"))
    .option('--pipeline-version <n>', 'an earlier version')
    .action(async (name: string, flags: ClientFlags & { pipelineVersion?: string }) =>
      print(await getPipeline(name, flags)),
    );
  withClientOptions(pipelines.command('create').description('create a pipeline from a JSON file'))
    .requiredOption('--file <file>', '{"pipeline": {...}, "tags": [...]} or a bare declaration')
    .action(async (flags: ClientFlags & { file: string }) => print(await createPipeline(flags)));
  withClientOptions(pipelines.command('update').description('replace a pipeline from a JSON file'))
    .requiredOption('--file <file>', '{"pipeline": {...}} or a bare declaration')
    .action(async (flags: ClientFlags & { file: string }) => print(await updatePipeline(flags)));
  withClientOptions(pipelines.command('delete <name>').description('delete a pipeline')).action(
    async (name: string, flags: ClientFlags) => {
      await codePipelineClient(flags).send(new DeletePipelineCommand({ name }));
      print(outputFormat(flags) === 'json' ? '{}\n' : `deleted ${name}\n`);
    },
  );
}

async function listPipelines(flags: ClientFlags): Promise<string> {
  const format = outputFormat(flags);
  const all: PipelineSummary[] = [];
  for await (const page of paginateListPipelines({ client: codePipelineClient(flags) }, {})) {
    all.push(...(page.pipelines ?? []));
  }
  if (format === 'json') return json({ pipelines: all });
  const rows = all.map((p) => [
    p.name ?? '',
    String(p.version ?? ''),
    p.pipelineType ?? '',
    p.executionMode ?? '',
    formatTime(p.updated),
  ]);
  return renderTable(['NAME', 'VERSION', 'TYPE', 'EXECUTION MODE', 'UPDATED'], rows);
}

async function getPipeline(name: string, flags: ClientFlags & { pipelineVersion?: string }) {
  const version = flags.pipelineVersion === undefined ? undefined : Number(flags.pipelineVersion);
  const out = await codePipelineClient(flags).send(new GetPipelineCommand({ name, version }));
  if (outputFormat(flags) === 'json')
    return json({ pipeline: out.pipeline, metadata: out.metadata });
  const p = out.pipeline;
  const head = `${p?.name} version ${p?.version} (${p?.pipelineType}, ${p?.executionMode})\n`;
  const rows = (p?.stages ?? []).flatMap((stage) =>
    (stage.actions ?? []).map((a) => [
      stage.name ?? '',
      String(a.runOrder ?? 1),
      a.name ?? '',
      `${a.actionTypeId?.category}/${a.actionTypeId?.owner}/${a.actionTypeId?.provider}/${a.actionTypeId?.version}`,
      (a.inputArtifacts ?? []).map((x) => x.name).join(','),
      (a.outputArtifacts ?? []).map((x) => x.name).join(','),
    ]),
  );
  return (
    head + renderTable(['STAGE', 'RUN ORDER', 'ACTION', 'ACTION TYPE', 'INPUTS', 'OUTPUTS'], rows)
  );
}

async function createPipeline(flags: ClientFlags & { file: string }): Promise<string> {
  const { pipeline, tags } = await readDeclarationFile(flags.file);
  const out = await codePipelineClient(flags).send(new CreatePipelineCommand({ pipeline, tags }));
  if (outputFormat(flags) === 'json') return json({ pipeline: out.pipeline, tags: out.tags });
  return `created ${out.pipeline?.name} version ${out.pipeline?.version}\n`;
}

async function updatePipeline(flags: ClientFlags & { file: string }): Promise<string> {
  const { pipeline } = await readDeclarationFile(flags.file);
  const out = await codePipelineClient(flags).send(new UpdatePipelineCommand({ pipeline }));
  if (outputFormat(flags) === 'json') return json({ pipeline: out.pipeline });
  return `updated ${out.pipeline?.name} to version ${out.pipeline?.version}\n`;
}

/** Reads `{"pipeline": ..., "tags": ...}` (the AWS CLI's --cli-input-json form) or a bare declaration. */
async function readDeclarationFile(
  file: string,
): Promise<{ pipeline: PipelineDeclaration; tags?: Tag[] }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${file} as JSON: ${(error as Error).message}`, { cause: error });
  }
  const doc = parsed as { pipeline?: PipelineDeclaration; tags?: Tag[] };
  if (doc && typeof doc === 'object' && doc.pipeline)
    return { pipeline: doc.pipeline, tags: doc.tags };
  return { pipeline: parsed as PipelineDeclaration };
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
