/**
 * The union of runs of one matrix — shard runs, usually — into one run
 * folder, as LKP merges its atomic jobs: run.json, results.jsonl, env.json
 * (`memtype-bench merge OUT RUN...`, bench/commands/merge.ts, then
 * summarises it and writes its charts and report). Lines are keyed by
 * (cellId, fork); the first occurrence wins and duplicates are counted.
 * Every input must carry the same schema version and matrix hash.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import { readEnv, type RunEnv } from './env.js';
import { MSG } from '../messages.js';
import { FILES, linesByCell, readManifest, readResultLines, resolveRunDir, writeFileAtomic, writeManifest, type ResultLine, type RunManifest } from './results.js';

/** What a merge wrote. */
export interface MergeResult {
  dir: string;
  runId: string;
  inputs: string[];
  manifest: RunManifest;
  /** The merged lines, in matrix order (group, fork, position). */
  lines: ResultLine[];
  /** The first readable env.json of the inputs, with `mergedFrom`; null when none was. */
  env: RunEnv | null;
  /** Cell × forks present in more than one input (first kept). */
  duplicates: number;
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

  const envs = dirs.map(readEnv);
  const firstEnv = envs.find((e) => e !== null) ?? null;
  const mergedFrom = dirs.map((d, i) => ({ run: basename(d), shard: manifests[i]!.shard, hostname: envs[i]?.hostname ?? null, cpuModel: envs[i]?.cpuModel ?? null, gitCommit: envs[i]?.gitCommit ?? null }));
  writeFileAtomic(join(out, FILES.env), JSON.stringify({ ...(firstEnv ?? {}), mergedFrom }, null, 2) + '\n');
  const merged = firstEnv === null ? null : { ...firstEnv, mergedFrom };
  return { dir: out, runId, inputs: dirs, manifest, lines, env: merged, duplicates };
}
