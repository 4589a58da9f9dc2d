/**
 * Ends a test run with one plain line, `tests: N passed, N failed, N skipped`, that any CI can read
 * whatever the runner (vitest's own summary is coloured and split over several lines).
 */
import type { Reporter, RunnerTestFile } from 'vitest/node';

type Task = RunnerTestFile['tasks'][number];

function count(tasks: readonly Task[], into: { passed: number; failed: number; skipped: number }): void {
  for (const t of tasks) {
    if (t.type === 'suite') {
      // A suite whose hook failed (beforeAll) fails as a whole, though its tests read as skipped.
      if (t.result?.state === 'fail' && (t.result.errors?.length ?? 0) > 0) into.failed++;
      count(t.tasks, into);
    } else if (t.mode === 'skip' || t.mode === 'todo') into.skipped++;
    else if (t.result?.state === 'pass') into.passed++;
    else if (t.result?.state === 'fail') into.failed++;
    else into.skipped++;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    const c = { passed: 0, failed: 0, skipped: 0 };
    count(files, c);
    const failedFiles = files.filter((f) => f.result?.state === 'fail' && f.tasks.length === 0).length;
    process.stdout.write(`\ntests: ${c.passed} passed, ${c.failed + failedFiles + errors.length} failed, ${c.skipped} skipped\n`);
  }
}
