/**
 * `memtype-bench replay [--tracker-module PATH]... [--tracker NAME] [--keep-going] TRACE`: runs a trace
 * (shared/spec/trace-format.md) on one tracker and prints one outcome line
 * per operation on standard output. A malformed line prints
 * `trace error: LINE:COLUMN: ...` on standard error after the outcomes of
 * the lines before it and exits with status 2; with `--keep-going` it is
 * recorded as `{"line": N, "error": "..."}` in line order instead, and the
 * exit status is still 2 when any was recorded.
 */
import { Bugs } from '../core/bugs.js';
import { InputError } from '../core/errors.js';
import { Hardware } from '../core/hardware.js';
import { Machine, OpError } from '../core/machine.js';
import { STRIDE } from '../core/ops.js';
import { TraceError, fieldColumn, readTraceFile, type ParsedTrace } from '../core/trace.js';
import { loadTrackerModules } from '../impls/modules.js';
import { LINUX_TRACKER, createTracker } from '../impls/registry.js';
import { resolveMachine } from '../workloads/profiles.js';
import { OutcomeJsonSink } from './outcome-json.js';

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
 * @returns exit status: 0, or 2 after a trace error
 * @throws InputError for a bad tracker module, an unknown tracker or bug switch (core/bugs.ts), or an unreadable file
 */
export async function runReplayCommand(
  opts: { tracker?: string; keepGoing?: boolean; bug?: string[]; trackerModules?: readonly string[] },
  path: string,
  stdout: (s: string) => void = (s) => process.stdout.write(s),
  stderr: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  const bugs = Bugs.parse(opts.bug ?? []);
  await loadTrackerModules(opts.trackerModules ?? []);
  const tracker = createTracker(opts.tracker ?? LINUX_TRACKER);
  let parsed: ParsedTrace;
  try {
    parsed = readTraceFile(path, { keepGoing: opts.keepGoing, resolveMachine });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw new InputError(`cannot read trace ${path}: ${(e as NodeJS.ErrnoException).code}`);
    throw e;
  }
  const out = new Out(stdout);
  const errors = parsed.errors;
  let runtimeErrors = 0;
  let hw: Hardware;
  try {
    hw = Hardware.fromSpec(parsed.stream.machine);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    stderr(`trace error: machine: ${e.message}\n`);
    return 2;
  }
  const machine = new Machine(hw, tracker, { bugs });
  const sink = new OutcomeJsonSink(parsed.stream, (i, o) => out.line(JSON.stringify({ line: parsed.lines[i], ...o })));
  sink.machine = machine;
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
        stderr(`trace error: ${err.message}\n`);
        return 2;
      }
      out.line(JSON.stringify({ line, error: err.reason }));
      runtimeErrors++;
    }
  }
  if (opts.keepGoing) flushErrorsBefore(Infinity);
  out.flush();
  if (!opts.keepGoing && errors.length > 0) {
    stderr(`trace error: ${errors[0]!.message}\n`);
    return 2;
  }
  return errors.length + runtimeErrors > 0 ? 2 : 0;
}
