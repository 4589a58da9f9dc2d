import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'docker/**/*.test.ts', 'docs/**/*.test.ts'],
    testTimeout: 20_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
