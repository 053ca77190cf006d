/**
 * Progress of a run: a cli-progress bar with elapsed time and ETA on a
 * terminal, one plain line per finished group otherwise (logs, CI).
 */
import cliProgress from 'cli-progress';
import { MSG } from '../messages.js';

/** What the run reports per finished group. */
export interface GroupProgress {
  /** Groups finished so far (this one included), of `total`. */
  done: number;
  total: number;
  /** `workload/size/seed`. */
  groupId: string;
  cells: number;
  ops: number | null;
  wallMs: number;
  /** `all valid`, `2 INVALID`, `ERROR ...`. */
  note: string;
}

/** A progress reporter. */
export interface Progress {
  group(p: GroupProgress): void;
  stop(): void;
}

/**
 * Creates the reporter.
 * @param tty draw a bar (a terminal) or write lines
 * @param total groups to run
 * @param alreadyDone groups finished before (a resumed run)
 */
export function createProgress(stream: NodeJS.WritableStream, tty: boolean, total: number, alreadyDone = 0): Progress {
  if (!tty) {
    return {
      group: (p) => stream.write(MSG.progress.line(p) + '\n'),
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: MSG.progress.barFormat(),
      stream,
      hideCursor: true,
      etaBuffer: 6,
      clearOnComplete: false,
      fps: 4,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, alreadyDone, { last: '' });
  return {
    group: (p) => bar.update(p.done, { last: MSG.progress.barLast(p.groupId, p.note) }),
    stop: () => bar.stop(),
  };
}
