/**
 * A buildspec (version 0.2) as Lockstep runs it, after parseBuildspec has checked its shape.
 * Names follow CodeBuild's buildspec reference; keys Lockstep accepts but cannot honour are
 * listed in `ignored` so the log can say so.
 */

/** The phases a buildspec may declare, in the order CodeBuild runs them. */
export const PHASE_NAMES = ['install', 'pre_build', 'build', 'post_build'] as const;

export type PhaseName = (typeof PHASE_NAMES)[number];

/** What a phase's `on-failure` asks for; absent means CodeBuild's phase transitions apply. */
export type OnFailure = 'ABORT' | 'CONTINUE';

export interface BuildspecPhase {
  commands: string[];
  /** Run after `commands`, even when one of them failed. */
  finally: string[];
  onFailure?: OnFailure;
}

/** One artifact section: the primary `artifacts` or one of its `secondary-artifacts`. */
export interface BuildspecArtifact {
  /** Glob patterns relative to `baseDirectory`. */
  files: string[];
  baseDirectory?: string;
  discardPaths: boolean;
}

export interface Buildspec {
  /** `env.variables`: plain text values, the lowest precedence. */
  variables: Record<string, string>;
  /** `env.exported-variables`: shell variables that become the action's output variables. */
  exportedVariables: string[];
  /**
   * `env.secrets-manager`: variable name to `SECRET-ID[:JSON-KEY[:STAGE[:VERSION-ID]]]`,
   * resolved when the build starts with the action role's permission.
   */
  secretsManager: Record<string, string>;
  phases: Partial<Record<PhaseName, BuildspecPhase>>;
  /** Whether the buildspec has an `artifacts` section at all. */
  hasArtifacts: boolean;
  /** The primary artifact, when `artifacts.files` is given. */
  primaryArtifact?: BuildspecArtifact;
  /** `artifacts.secondary-artifacts`, by artifact identifier. */
  secondaryArtifacts: Record<string, BuildspecArtifact>;
  /** Dotted paths of keys accepted but without effect in Lockstep, such as `cache`. */
  ignored: string[];
}
