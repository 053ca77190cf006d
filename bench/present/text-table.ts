/**
 * An aligned text table for the terminal: a header, a rule, the rows;
 * columns separated by two spaces, left- or right-aligned, no trailing
 * spaces.
 */

/**
 * @param right per column: right-align (numbers)
 * @returns the lines joined with `\n`, ending with `\n`
 */
export function alignedTable(head: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (vals: readonly string[]): string =>
    vals
      .map((v, i) => (right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}
