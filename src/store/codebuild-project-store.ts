/**
 * CodeBuild build projects as the store keeps them: the project's definition is opaque JSON
 * here; src/codebuild/project-service.ts owns its shape and rules.
 */

/** One stored build project. */
export interface CodeBuildProjectRecord {
  name: string;
  /** The project's definition (CreateProject's input less its name), as JSON-safe data. */
  project: Record<string, unknown>;
  createdMs: number;
  updatedMs: number;
}

/** Thrown when a project with the same name exists. */
export class CodeBuildProjectExistsError extends Error {}

/** The CodeBuild projects table. */
export interface CodeBuildProjectStore {
  /** Inserts a project; throws CodeBuildProjectExistsError when the name is taken. */
  create(record: CodeBuildProjectRecord): Promise<void>;
  get(name: string): Promise<CodeBuildProjectRecord | undefined>;
  /** Every project, by name. */
  list(): Promise<CodeBuildProjectRecord[]>;
  /** Deletes a project; false if there was none. */
  delete(name: string): Promise<boolean>;
}
