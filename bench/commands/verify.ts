/**
 * `memtype-bench verify`: checks trackers against the oracle before they are
 * timed (bench/verify/verify.ts `verifyTracker`), prints one line per
 * tracker, and at the first failure the divergence and a minimal trace.
 */
import { writeFileSync } from 'node:fs';
import { InputError } from '../../core/errors.js';
import { loadTrackerModule } from '../../impls/modules.js';
import { ORACLE, trackerNames } from '../../impls/registry.js';
import { MSG } from '../messages.js';
import { selectNames } from '../plan/matrix.js';
import { verifyTracker, type VerifyOptions } from '../verify/verify.js';

/** Options of `memtype-bench verify`. */
export interface VerifyCommandOptions {
  /** Tracker modules to load first (`--tracker-module`, repeatable). */
  trackerModules?: readonly string[];
  /** Trackers: names or globs (`--tracker`); default every composition using a module-loaded part. */
  trackers?: readonly string[];
  /** `--random N`. */
  randomTraces?: number;
  /** `--seed S`. */
  seed?: number;
  /** Where the minimal trace of a failure goes (`--out`); default `verify-<tracker>.jsonl` in the working directory. */
  out?: string;
}

/**
 * `memtype-bench verify [--tracker-module PATH]... [--tracker GLOB] [--random N] [--seed S] [--out FILE]`:
 * verifies each selected tracker in name order and prints one line per
 * tracker; at the first failure prints the divergence (trace line, op, the
 * oracle's and the tracker's outcomes), writes the minimal trace and stops.
 * @returns exit status: 0 every tracker passed, 1 one diverged
 * @throws InputError for a bad module, an unknown tracker or a glob matching nothing, no tracker to verify, or an unwritable output file
 */
export async function runVerifyCommand(o: VerifyCommandOptions, stdout: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const parts = new Set<string>();
  for (const p of o.trackerModules ?? []) for (const name of (await loadTrackerModule(p)).parts) parts.add(name);
  let names: string[];
  if (o.trackers !== undefined && o.trackers.length > 0) names = selectNames('tracker', o.trackers, trackerNames(), [ORACLE]);
  else {
    if (parts.size === 0) throw new InputError(MSG.verify.nothing());
    names = trackerNames().filter((n) => n.split('+').some((p) => parts.has(p)));
  }
  const opts: VerifyOptions = {};
  if (o.randomTraces !== undefined) opts.randomTraces = o.randomTraces;
  if (o.seed !== undefined) opts.seed = o.seed;
  for (const name of names) {
    const r = verifyTracker(name, opts);
    if (r.state === 'passed') {
      stdout(MSG.verify.passed(r.tracker, r.conformance, r.random, r.ops, r.invariants) + '\n');
      continue;
    }
    let file: string | null = null;
    if (r.minimal !== null) {
      file = o.out ?? `verify-${name}.jsonl`;
      try {
        writeFileSync(file, r.minimal.text);
      } catch (e) {
        throw new InputError(MSG.verify.unwritable(file, (e as NodeJS.ErrnoException).code ?? String(e)));
      }
    }
    const d = r.first;
    const minimal = r.minimal !== null && file !== null ? { ops: r.minimal.ops, line: r.minimal.line, file } : null;
    stdout(MSG.verify.failed(r.tracker, { trace: d.trace, line: d.line, opLine: d.opLine, op: d.op, oracle: JSON.stringify(d.oracle), tracker: JSON.stringify(d.tracker) }, minimal, o.trackerModules ?? []).join('\n') + '\n');
    return 1;
  }
  return 0;
}
