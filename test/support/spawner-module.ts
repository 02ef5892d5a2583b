/**
 * The sandbox spawner (src/sandbox/spawner-process.ts) compiled from the current sources into a
 * temporary directory, for tests that run from TypeScript: the server forks the compiled
 * module beside its own, which exists only in dist/. Its local imports are compiled with it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './repo-root.js';

const SANDBOX_DIR = path.join(REPO_ROOT, 'src', 'sandbox');
const ENTRY = 'spawner-process.ts';

/** Compiles the spawner; `remove()` deletes it. */
export async function compileSpawnerModule(): Promise<{
  path: string;
  remove: () => Promise<void>;
}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lockstep-spawner-'));
  await writeFile(path.join(dir, 'package.json'), '{"type":"module"}\n');
  const pending = [ENTRY];
  const done = new Set<string>();
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (done.has(file)) continue;
    done.add(file);
    const source = await readFile(path.join(SANDBOX_DIR, file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ES2022,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    await writeFile(path.join(dir, file.replace(/\.ts$/, '.js')), outputText);
    // Only value imports reach the output; `import type` is gone.
    for (const [, local] of outputText.matchAll(/from '\.\/([\w-]+)\.js'/g)) {
      pending.push(`${local}.ts`);
    }
  }
  return {
    path: path.join(dir, ENTRY.replace(/\.ts$/, '.js')),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
