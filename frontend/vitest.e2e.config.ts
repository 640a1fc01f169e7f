import { defineConfig } from 'vitest/config';

// End-to-end suite: drives Debian's chromium through playwright-core against a running stack.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
