/**
 * The buildspec's `artifacts` section: the primary artifact and its `secondary-artifacts`, as
 * CodeBuild's buildspec reference defines them.
 */
import type { BuildspecArtifact } from './buildspec.js';
import type { Mapping } from './buildspec-shape.js';
import {
  expectKnownKeys,
  expectMapping,
  expectString,
  expectStringList,
  expectYesNo,
  refuse,
} from './buildspec-shape.js';

const ARTIFACT_KEYS = [
  'files',
  'name',
  'discard-paths',
  'base-directory',
  'exclude-paths',
  'enable-symlinks',
  's3-prefix',
];

/** The parsed section, and the keys accepted without effect. */
export interface ParsedArtifacts {
  primaryArtifact?: BuildspecArtifact;
  secondaryArtifacts: Record<string, BuildspecArtifact>;
  ignored: string[];
}

function parseArtifact(
  map: Mapping,
  where: string,
  ignored: string[],
): BuildspecArtifact | undefined {
  if (map['exclude-paths'] !== undefined) {
    // Storing files the buildspec meant to leave out could publish a secret; refuse instead.
    refuse(
      `${where}.exclude-paths is not supported by Lockstep yet; narrow ${where}.files instead`,
    );
  }
  // CodePipeline names its output artifacts itself, and Lockstep stores no links or S3 prefixes.
  for (const key of ['name', 'enable-symlinks', 's3-prefix']) {
    if (map[key] !== undefined) ignored.push(`${where}.${key}`);
  }
  const discardPaths = expectYesNo(map['discard-paths'], `${where}.discard-paths`);
  const base = map['base-directory'];
  const baseDirectory =
    base === undefined ? undefined : expectString(base, `${where}.base-directory`);
  if (map.files === undefined) return undefined;
  const files = expectStringList(map.files, `${where}.files`);
  if (files.length === 0) refuse(`${where}.files must list at least one path`);
  return { files, discardPaths, ...(baseDirectory !== undefined ? { baseDirectory } : {}) };
}

function parseSecondary(value: unknown, ignored: string[]): Record<string, BuildspecArtifact> {
  const where = 'artifacts.secondary-artifacts';
  const secondary: Record<string, BuildspecArtifact> = {};
  for (const [identifier, section] of Object.entries(expectMapping(value, where))) {
    const path = `${where}.${identifier}`;
    const map = expectMapping(section, path);
    expectKnownKeys(map, ARTIFACT_KEYS, path);
    const artifact = parseArtifact(map, path, ignored);
    if (!artifact) refuse(`${path}.files is required`);
    secondary[identifier] = artifact;
  }
  return secondary;
}

/** Parses `artifacts`; `files` is required unless only secondary artifacts are declared. */
export function parseBuildspecArtifacts(value: unknown): ParsedArtifacts {
  const map = expectMapping(value, 'artifacts');
  expectKnownKeys(map, [...ARTIFACT_KEYS, 'secondary-artifacts'], 'artifacts');
  const ignored: string[] = [];
  const primaryArtifact = parseArtifact(map, 'artifacts', ignored);
  const secondaryArtifacts =
    map['secondary-artifacts'] === undefined
      ? {}
      : parseSecondary(map['secondary-artifacts'], ignored);
  if (!primaryArtifact && Object.keys(secondaryArtifacts).length === 0) {
    refuse('artifacts.files is required');
  }
  return { ...(primaryArtifact ? { primaryArtifact } : {}), secondaryArtifacts, ignored };
}
