/**
 * Finds and reads the buildspec: the build project's own (inline, or a path in the source) when
 * it sets one, else the one at the root of the primary source. The source came from an
 * artifact anyone upstream could have shaped, so a link is not followed and size is capped.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYamlText } from 'yaml';
import type { Buildspec } from './buildspec.js';
import { CodeBuildConfigurationError } from './codebuild-configuration-error.js';
import { parseBuildspec } from './parse-buildspec.js';

/** The names looked for, in order: CodeBuild's default, then the other YAML extension. */
export const BUILDSPEC_FILE_NAMES = ['buildspec.yml', 'buildspec.yaml'] as const;

const MAX_BUILDSPEC_BYTES = 1024 * 1024;

async function readIfPresent(file: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP')
      throw new CodeBuildConfigurationError(`${path.basename(file)} is a link; it must be a file`);
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile())
      throw new CodeBuildConfigurationError(`${path.basename(file)} is not a file`);
    if (stat.size > MAX_BUILDSPEC_BYTES) {
      throw new CodeBuildConfigurationError(
        `${path.basename(file)} is larger than ${MAX_BUILDSPEC_BYTES} bytes`,
      );
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** The parsed buildspec of `sourceDir` and its file name; refused when there is none. */
export async function readBuildspec(
  sourceDir: string,
  inputName: string,
): Promise<{ fileName: string; buildspec: Buildspec }> {
  for (const fileName of BUILDSPEC_FILE_NAMES) {
    const text = await readIfPresent(path.join(sourceDir, fileName));
    if (text !== undefined) return { fileName, buildspec: parseBuildspec(text, fileName) };
  }
  throw new CodeBuildConfigurationError(
    `No buildspec.yml (or buildspec.yaml) at the root of the primary input artifact ${inputName}, ` +
      'and the action names no registered CodeBuild project (ProjectName) that sets a buildspec',
  );
}

/** True when a project's `buildspec` is the YAML itself rather than a file's path. */
function isInlineBuildspec(setting: string): boolean {
  try {
    const value: unknown = parseYamlText(setting);
    return typeof value === 'object' && value !== null && 'version' in value;
  } catch {
    return false;
  }
}

/**
 * The buildspec a registered project sets, which wins over the source's, as in CodeBuild:
 * inline YAML (it has a `version` key) or a path relative to the root of the primary source.
 */
export async function readProjectBuildspec(
  sourceDir: string,
  inputName: string,
  projectName: string,
  setting: string,
): Promise<{ fileName: string; buildspec: Buildspec }> {
  if (isInlineBuildspec(setting)) {
    const fileName = `the buildspec of project ${projectName}`;
    return { fileName, buildspec: parseBuildspec(setting, fileName) };
  }
  const relative = path.normalize(setting.trim());
  // The path names a file in the source; it must not reach outside it.
  if (path.isAbsolute(relative) || relative === '..' || relative.startsWith(`..${path.sep}`)) {
    throw new CodeBuildConfigurationError(
      `The buildspec ${setting} of project ${projectName} is not a path inside the source`,
    );
  }
  const text = await readIfPresent(path.join(sourceDir, relative));
  if (text === undefined) {
    throw new CodeBuildConfigurationError(
      `Project ${projectName} names buildspec ${relative}, which is not in the primary input ` +
        `artifact ${inputName}`,
    );
  }
  return { fileName: relative, buildspec: parseBuildspec(text, relative) };
}
