/**
 * The conformance traces (conformance/*.jsonl): hand-written traces, one
 * Linux rule each, that `verify` replays on a tracker and on the oracle.
 * Comment lines `# expect: {...}` after an op state Linux's outcome there
 * (conformance/README.md); the tests hold the oracle to them.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../../core/errors.js';
import { readTraceFile, type ParsedTrace } from '../../core/trace.js';
import { loadMachine, repoRoot } from '../../workloads/profiles.js';
import { MSG } from '../messages.js';

/** One conformance trace, parsed. */
export interface ConformanceTrace {
  /** File name, e.g. `exact-free.jsonl`. */
  name: string;
  /** Absolute path. */
  path: string;
  parsed: ParsedTrace;
}

/** The project's conformance folder (`conformance/` of the repository). */
export function conformanceDir(): string {
  return join(repoRoot(), 'conformance');
}

/**
 * Every `*.jsonl` trace of `dir`, by name.
 * @throws InputError when the folder cannot be read, holds no trace, or a trace does not parse
 */
export function readConformanceTraces(dir = conformanceDir()): ConformanceTrace[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort();
  } catch (e) {
    throw new InputError(MSG.conformance.unreadable(dir, (e as NodeJS.ErrnoException).code ?? String(e)));
  }
  if (names.length === 0) throw new InputError(MSG.conformance.empty(dir));
  return names.map((name) => {
    const path = join(dir, name);
    try {
      return { name, path, parsed: readTraceFile(path, { loadMachine }) };
    } catch (e) {
      throw new InputError(MSG.conformance.badTrace(relative(process.cwd(), path), e instanceof Error ? e.message : String(e)));
    }
  });
}

/**
 * The `# expect: {...}` comments of a trace: for each, the 1-based line of
 * the op line it follows (other expect lines and comments between them
 * allowed) and the expected fields.
 * @throws InputError for an expectation that is not a JSON object, or that follows no op line
 */
export function traceExpectations(text: string): { line: number; expect: Record<string, unknown> }[] {
  const out: { line: number; expect: Record<string, unknown> }[] = [];
  let lastOp = 0;
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim();
    const m = /^#\s*expect:\s*(.*)$/.exec(t);
    if (m === null) {
      if (t !== '' && !t.startsWith('#') && !t.startsWith('//')) lastOp = i + 1;
      return;
    }
    let v: unknown;
    try {
      v = JSON.parse(m[1]!);
    } catch {
      v = null;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(MSG.conformance.notObject(i + 1));
    if (lastOp === 0) throw new InputError(MSG.conformance.noOp(i + 1));
    out.push({ line: lastOp, expect: v as Record<string, unknown> });
  });
  return out;
}
