// The tests the mutation run (stryker.config.mjs) kills mutants with: the
// ones that state Linux's rules and run the machine in-process — test/core/,
// test/workloads/ and the conformance traces. Left out: the tracker tests of
// test/impls/ and bench's verify, which compare trackers with the oracle —
// both run on the same machine, so a wrong rule in core/ changes both alike
// and such a test cannot see it (issue 16) —, and the harness's tests, which
// start worker threads, child processes or a browser.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/core/**/*.test.ts', 'test/workloads/**/*.test.ts', 'test/bench/**/conformance.test.ts'],
    // Only Stryker's own timeout (from the dry run's times) may call a mutant
    // a hang: a test timing out because the machine is loaded is no kill.
    testTimeout: 120_000,
  },
});
