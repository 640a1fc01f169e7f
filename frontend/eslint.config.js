// ESLint flat config: the recommended rules of ESLint, typescript-eslint and React's
// hooks plugin (rules of hooks, exhaustive deps, the React Compiler checks).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'e2e-results/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  reactHooks.configs.flat.recommended,
);
