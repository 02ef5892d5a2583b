/**
 * Maps the buildspec's artifacts onto the action's output artifacts and stores them: the first
 * output takes the primary `artifacts`, every other output the `secondary-artifacts` entry whose
 * identifier is its name, as CodePipeline does with a CodeBuild action's outputs.
 */
import path from 'node:path';
import {
  NoMatchingArtifactPathsError,
  UnsafeArtifactPathError,
} from '../../artifacts/artifact-errors.js';
import type { ArtifactRef } from '../../engine/execution-state.js';
import type { ProviderContext } from '../built-in-provider.js';
import type { Buildspec, BuildspecArtifact } from './buildspec.js';
import { CodeBuildConfigurationError } from './codebuild-configuration-error.js';

/** One output artifact and the buildspec section that fills it. */
export interface PlannedArtifact {
  name: string;
  spec: BuildspecArtifact;
}

/** Outputs stored, or why one could not be. */
export type StoredOutputs = { ok: true; artifacts: ArtifactRef[] } | { ok: false; message: string };

function sectionFor(buildspec: Buildspec, name: string, first: boolean): BuildspecArtifact {
  if (first && buildspec.primaryArtifact) return buildspec.primaryArtifact;
  const secondary = buildspec.secondaryArtifacts[name];
  if (secondary) return secondary;
  const where = first
    ? `artifacts.files or artifacts.secondary-artifacts.${name}`
    : `artifacts.secondary-artifacts.${name}`;
  throw new CodeBuildConfigurationError(
    `Output artifact ${name} has no matching ${where} in the buildspec`,
  );
}

/** Decides, before anything runs, which buildspec section fills each declared output. */
export function planBuildArtifacts(outputNames: string[], buildspec: Buildspec): PlannedArtifact[] {
  if (outputNames.length > 0 && !buildspec.hasArtifacts) {
    throw new CodeBuildConfigurationError(
      `The action declares output artifacts (${outputNames.join(', ')}) but the buildspec has no artifacts section`,
    );
  }
  return outputNames.map((name, index) => ({
    name,
    spec: sectionFor(buildspec, name, index === 0),
  }));
}

/** Stores each planned artifact from `sourceDir`, where the patterns are relative to. */
export async function storeBuildArtifacts(
  ctx: ProviderContext,
  plan: PlannedArtifact[],
  sourceDir: string,
): Promise<StoredOutputs> {
  const artifacts: ArtifactRef[] = [];
  for (const { name, spec } of plan) {
    try {
      const stored = await ctx.artifacts.putDirectory(
        ctx.outputKey(name),
        path.resolve(sourceDir),
        {
          files: spec.files,
          discardPaths: spec.discardPaths,
          ...(spec.baseDirectory !== undefined ? { baseDirectory: spec.baseDirectory } : {}),
        },
      );
      artifacts.push({ name, ...stored });
    } catch (error) {
      // The build's own files are at fault here, so the action fails like CodeBuild's
      // UPLOAD_ARTIFACTS phase does rather than with a server error.
      if (
        error instanceof NoMatchingArtifactPathsError ||
        error instanceof UnsafeArtifactPathError
      ) {
        return {
          ok: false,
          message: `Phase UPLOAD_ARTIFACTS failed for output artifact ${name}: ${error.message}`,
        };
      }
      throw error;
    }
  }
  return { ok: true, artifacts };
}
