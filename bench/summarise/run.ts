/**
 * A run folder, read and summarised once: run.json, results.jsonl (the
 * source of truth) and env.json, and the `RunSummary` of its lines. `run`
 * builds it from the folder it has just written and hands it to every
 * renderer; `report`, `publish`, `merge`, `compare` and `agreement` load it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import { MSG } from '../messages.js';
import { readEnv, type RunEnv } from '../store/env.js';
import { FILES, readManifest, readResultLines, type ResultLine, type RunManifest } from '../store/results.js';
import type { RunProjection } from './projection.js';
import { expectedCells, summarize, type RunSummary } from './summary.js';

/** A run folder, read and summarised. */
export interface LoadedRun {
  /** The folder, absolute. */
  dir: string;
  manifest: RunManifest;
  lines: ResultLine[];
  /** env.json; null when absent or unreadable. */
  env: RunEnv | null;
  summary: RunSummary;
  /** results.jsonl ended in a torn (dropped) line. */
  tornTail: boolean;
  /** An SMP run's projection past its host (projection.json, written by `memtype-bench project`); null when there is none. */
  projection: RunProjection | null;
}

/**
 * Summarises a run's lines against its manifest (the baseline, forks and
 * cells it plans) and environment (the load average at start and end).
 */
export function summarizeRun(dir: string, manifest: RunManifest, lines: ResultLine[], env: RunEnv | null, tornTail = false, projection: RunProjection | null = null): LoadedRun {
  const m = manifest.matrix;
  const summary = summarize(lines, {
    runId: manifest.runId,
    matrixHash: manifest.matrixHash,
    baseline: m.baseline,
    forks: m.forks,
    expected: expectedCells(m, manifest.groupIds),
    load: { start: env?.loadAverage1m ?? null, end: env?.loadAverageEnd1m ?? null },
  });
  return { dir, manifest, lines, env, summary, tornTail, projection };
}

/** The run folder's projection.json, or null when it has none. @throws InputError when it does not parse */
export function readProjection(dir: string): RunProjection | null {
  const path = join(dir, FILES.projection);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunProjection;
  } catch (e) {
    throw new InputError(MSG.results.badProjection(path, e instanceof Error ? e.message : String(e)));
  }
}

/**
 * Reads and summarises a run folder.
 * @param dir the run folder (a path)
 * @throws InputError for a missing folder, a missing or malformed run.json or results.jsonl, another schema version (naming the file and the version expected), or no result lines
 */
export function loadRun(dir: string): LoadedRun {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new InputError(MSG.report.noFolder(abs));
  if (!statSync(abs).isDirectory()) throw new InputError(MSG.report.notFolder(abs));
  const manifest = readManifest(abs);
  const linesPath = join(abs, FILES.lines);
  const read = readResultLines(linesPath);
  if (read.lines.length === 0) throw new InputError(MSG.report.noLines(linesPath));
  return summarizeRun(abs, manifest, read.lines, readEnv(abs), read.tornTail, readProjection(abs));
}
