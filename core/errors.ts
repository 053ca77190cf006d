/**
 * Errors caused by the user's input (a trace, a machine file, a flag). The
 * CLI prints `message` alone, never a stack, and exits with status 2.
 */
export class InputError extends Error {
  /**
   * @param message what is wrong, already naming the file/line where known
   * @param line 1-based line of the offending input, when there is one
   * @param column 1-based column, when known
   */
  constructor(message: string, readonly line?: number, readonly column?: number) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * A semantic error in the trace itself (unknown `mm` or `handle`, a duplicate
 * one). Replay turns it into `trace error: LINE:COLUMN: ...` naming `field`.
 */
export class OpError extends Error {
  /**
   * @param message what is wrong; for `mmId` errors, completed with the trace's name of that mm
   * @param field the trace field at fault (its column is reported)
   * @param mmId the interned mm id the error is about, if any
   */
  constructor(
    message: string,
    readonly field: string,
    readonly mmId?: number,
  ) {
    super(message);
    this.name = 'OpError';
  }
}
