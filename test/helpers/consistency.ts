/** The machine's structural consistency check, for tests (core/consistency.ts). */
export { checkConsistency } from '../../core/consistency.js';
