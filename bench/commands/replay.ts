/**
 * `memtype-bench replay [--tracker-module PATH]... [--tracker NAME] [--keep-going] TRACE`: runs a trace
 * (shared/spec/trace-format.md) on one tracker and prints one outcome line
 * per operation on standard output. A malformed line prints
 * `trace error: LINE:COLUMN: ...` on standard error after the outcomes of
 * the lines before it and exits with status 2; with `--keep-going` it is
 * recorded as `{"line": N, "error": "..."}` in line order instead, and the
 * exit status is still 2 when any was recorded. With `--check`, each op's
 * outcome is also compared with the oracle's on the same machine (and bug
 * switches): every difference is named on standard error, and the exit
 * status is 1 when there is one.
 */
import { Bugs } from '../../core/bugs.js';
import { InputError } from '../../core/errors.js';
import { Hardware } from '../../core/hardware.js';
import { Machine, OpError } from '../../core/machine.js';
import { STRIDE } from '../../core/ops.js';
import { TraceError, fieldColumn, readTraceFile, type ParsedTrace } from '../../core/trace.js';
import { loadTrackerModules } from '../../impls/modules.js';
import { LINUX_TRACKER, createTracker } from '../../impls/registry.js';
import { loadMachine } from '../../workloads/profiles.js';
import { MSG } from '../messages.js';
import { OutcomeJsonSink } from '../verify/outcome-json.js';
import { oracleOutcomes } from '../verify/verify.js';

/** Buffered writer for large outputs. */
class Out {
  private buf: string[] = [];
  private size = 0;
  constructor(private readonly write: (s: string) => void) {}
  line(s: string): void {
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 1 << 16) this.flush();
  }
  flush(): void {
    if (this.buf.length > 0) this.write(this.buf.join('\n') + '\n');
    this.buf = [];
    this.size = 0;
  }
}

/**
 * Replays a trace file.
 * @param opts `tracker` (default Linux's composition), `keepGoing`, `bug` (historical bug switches),
 *   `trackerModules` (loaded first, so that `tracker` may use their parts)
 * @param path trace file
 * @param stdout/stderr writers (default the process's)
 * @returns exit status: 0; 1 when `check` found an outcome that differs from the oracle's; 2 after a trace error
 * @throws InputError for a bad tracker module, an unknown tracker or bug switch (core/bugs.ts), or an unreadable file
 */
export async function runReplayCommand(
  opts: { tracker?: string; keepGoing?: boolean; bug?: string[]; trackerModules?: readonly string[]; check?: boolean },
  path: string,
  stdout: (s: string) => void = (s) => process.stdout.write(s),
  stderr: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  const bugs = Bugs.parse(opts.bug ?? []);
  await loadTrackerModules(opts.trackerModules ?? []);
  const trackerName = opts.tracker ?? LINUX_TRACKER;
  const tracker = createTracker(trackerName);
  let parsed: ParsedTrace;
  try {
    parsed = readTraceFile(path, { keepGoing: opts.keepGoing, loadMachine });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw new InputError(MSG.replay.unreadable(path, (e as NodeJS.ErrnoException).code!));
    throw e;
  }
  const out = new Out(stdout);
  const errors = parsed.errors;
  let runtimeErrors = 0;
  const machine = new Machine(Hardware.fromParsed(parsed.stream.machine), tracker, { bugs });
  const oracle = opts.check ? oracleOutcomes(parsed.stream, bugs) : null;
  const differences: string[] = [];
  const sink = new OutcomeJsonSink(parsed.stream, (i, o) => {
    const text = JSON.stringify(o);
    out.line(JSON.stringify({ line: parsed.lines[i], ...o }));
    if (oracle !== null && i < oracle.length && text !== oracle[i]) differences.push(MSG.replay.checkDiffers(parsed.lines[i]!, String(o.op), oracle[i]!, text, trackerName));
  });
  sink.machine = machine;
  /** With `--check`: names the differences, and turns a clean exit into 1 when there is one. */
  const checked = (code: number): number => {
    if (oracle === null) return code;
    for (const d of differences) stderr(d);
    if (differences.length > 0) stderr(MSG.replay.checkFailed(differences.length));
    else if (code === 0) stderr(MSG.replay.checkOk(parsed.stream.count, trackerName));
    return code === 0 && differences.length > 0 ? 1 : code;
  };
  machine.attachStream(parsed.stream, sink);
  const { ops, count } = parsed.stream;
  let nextErr = 0;
  const flushErrorsBefore = (line: number): void => {
    while (nextErr < errors.length && errors[nextErr]!.line < line) {
      const e = errors[nextErr++]!;
      out.line(JSON.stringify({ line: e.line, error: e.reason }));
    }
  };
  for (let i = 0; i < count; i++) {
    const line = parsed.lines[i]!;
    if (opts.keepGoing) flushErrorsBefore(line);
    try {
      const ret = machine.exec(ops, i * STRIDE);
      sink.done(i, ret, machine.outType, machine.query);
    } catch (e) {
      if (!(e instanceof OpError)) throw e;
      sink.discard();
      const what = e.mmId === undefined ? e.message : `${e.message} ${String(parsed.mmNames[e.mmId])}`;
      const err = new TraceError(line, fieldColumn(parsed.raw[i]!, e.field), what);
      if (!opts.keepGoing) {
        out.flush();
        stderr(MSG.replay.traceError(err.message));
        return checked(2);
      }
      out.line(JSON.stringify({ line, error: err.reason }));
      runtimeErrors++;
    }
  }
  if (opts.keepGoing) flushErrorsBefore(Infinity);
  out.flush();
  if (!opts.keepGoing && errors.length > 0) {
    stderr(MSG.replay.traceError(errors[0]!.message));
    return checked(2);
  }
  return checked(errors.length + runtimeErrors > 0 ? 2 : 0);
}
