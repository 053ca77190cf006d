/**
 * `memtype-bench merge OUT RUN...`: unions the result lines of shard runs
 * (or of any runs of one matrix) into one run folder, as LKP merges its
 * atomic jobs. Lines are keyed by (cellId, round); the first occurrence
 * wins and duplicates are counted. Every input must carry the same schema
 * version and matrix hash; the cells of the matrix that no input has are
 * reported as missing (exit status 1, the merged folder is still written).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { RunEnv } from './env.js';
import { MSG } from '../messages.js';
import { FILES, linesByCell, readManifest, readResultLines, resolveRunDir, writeFileAtomic, writeManifest, type ResultLine, type RunManifest } from './results.js';
import { writeCharts } from '../present/charts.js';
import { expectedCells, summarize, writeSummaryFiles, type RunSummary } from '../summarise/summary.js';

/** What a merge produced. */
export interface MergeResult {
  dir: string;
  runId: string;
  inputs: string[];
  lines: number;
  /** Cell-rounds present in more than one input (first kept). */
  duplicates: number;
  summary: RunSummary;
  /** 0 when every cell of the matrix is present with every round, else 1. */
  exitCode: number;
}

/**
 * Merges runs into `outDir`.
 * @param inputs run folders or run ids under `baseDir`
 * @throws InputError for fewer than one input, a missing or malformed run, differing schema
 *   versions or matrix hashes (naming each run's hash), or an `outDir` that already holds files
 */
export function mergeRuns(outDir: string, inputs: readonly string[], baseDir = 'results'): MergeResult {
  if (inputs.length === 0) throw new InputError(MSG.merge.noInputs());
  const dirs = inputs.map((a) => resolveRunDir(a, baseDir));
  const manifests = dirs.map((d) => readManifest(d));
  const hashes = new Set(manifests.map((m) => m.matrixHash));
  if (hashes.size > 1) throw new InputError(MSG.merge.hashMismatch(dirs.map((d, i) => [basename(d), manifests[i]!.matrixHash])));
  const out = resolve(outDir);
  if (existsSync(out) && readdirSync(out).length > 0) throw new InputError(MSG.merge.outNotEmpty(out));

  const all: ResultLine[] = [];
  dirs.forEach((d, i) => {
    for (const l of readResultLines(join(d, FILES.lines)).lines) {
      if (l.matrixHash !== manifests[i]!.matrixHash) throw new InputError(MSG.merge.lineHash(d, l.cellId, l.matrixHash, manifests[i]!.matrixHash));
      all.push(l);
    }
  });
  const lines = [...linesByCell(all).values()].flat();
  const duplicates = all.length - lines.length;

  const first = manifests[0]!;
  const matrix = first.matrix;
  // Lines in matrix order (group, then fork, then position) for a stable file.
  const groupRank = new Map(matrix.groups.map((g, i) => [g.id, i]));
  lines.sort((a, b) => (groupRank.get(a.groupId) ?? 1e9) - (groupRank.get(b.groupId) ?? 1e9) || a.fork - b.fork || a.position - b.position);

  mkdirSync(out, { recursive: true });
  const runId = basename(out);
  const created = manifests.map((m) => m.createdAt).sort()[0]!;
  const finished = manifests.map((m) => m.finishedAt);
  const manifest: RunManifest = {
    ...first,
    runId,
    createdAt: created,
    resumedAt: [],
    finishedAt: finished.every((f) => f !== null) ? (finished as string[]).sort().at(-1)! : null,
    shard: null,
    groupIds: matrix.groups.map((g) => g.id),
  };
  writeManifest(out, manifest);
  writeFileAtomic(join(out, FILES.lines), lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length > 0 ? '\n' : ''));

  const envs = dirs.map((d) => {
    try {
      return JSON.parse(readFileSync(join(d, FILES.env), 'utf8')) as RunEnv;
    } catch {
      return null;
    }
  });
  const env = envs.find((e) => e !== null) ?? null;
  writeFileAtomic(
    join(out, FILES.env),
    JSON.stringify({ ...(env ?? {}), mergedFrom: dirs.map((d, i) => ({ run: basename(d), shard: manifests[i]!.shard, hostname: envs[i]?.hostname ?? null, cpuModel: envs[i]?.cpuModel ?? null, gitCommit: envs[i]?.gitCommit ?? null })) }, null, 2) + '\n',
  );

  const summary = summarize(lines, {
    runId,
    matrixHash: first.matrixHash,
    baseline: matrix.baseline,
    forks: matrix.forks,
    expected: expectedCells(matrix, manifest.groupIds),
  });
  writeSummaryFiles(out, summary, {
    matrix,
    env,
    threads: first.threads,
    shard: null,
    startedAt: created,
    finishedAt: manifest.finishedAt,
  });
  return { dir: out, runId, inputs: dirs, lines: lines.length, duplicates, summary, exitCode: summary.complete ? 0 : 1 };
}

/**
 * The `merge` command: merges, renders the charts, prints what was merged
 * and what is missing.
 * @returns the exit status: 0 complete, 1 cells missing
 * @throws InputError as `mergeRuns`
 */
export async function runMergeCommand(outDir: string, inputs: readonly string[], baseDir = 'results', stdout: NodeJS.WritableStream = process.stdout): Promise<number> {
  const r = mergeRuns(outDir, inputs, baseDir);
  await writeCharts(r.dir, r.summary.cells);
  stdout.write(MSG.merge.done(r.dir, r.inputs.length, r.lines, r.duplicates, r.summary.missing));
  return r.exitCode;
}
