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
