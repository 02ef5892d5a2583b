// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'models/**', 'test/fixtures/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Only store/ talks to a database driver (DESIGN.md section 2).
    files: ['src/**/*.ts'],
    ignores: ['src/store/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'better-sqlite3', message: 'Only src/store/ may import a database driver.' },
            { name: 'pg', message: 'Only src/store/ may import a database driver.' },
            { name: 'kysely', message: 'Only src/store/ may import the query builder.' },
          ],
        },
      ],
    },
  },
  {
    // Only api/ knows HTTP; the domain never does (DESIGN.md section 2).
    files: ['src/**/*.ts'],
    ignores: ['src/api/**', 'src/cli/**', 'src/store/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'fastify', message: 'Only src/api/ knows HTTP.' },
            { name: 'better-sqlite3', message: 'Only src/store/ may import a database driver.' },
            { name: 'pg', message: 'Only src/store/ may import a database driver.' },
            { name: 'kysely', message: 'Only src/store/ may import the query builder.' },
          ],
        },
      ],
    },
  },
);
