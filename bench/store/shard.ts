/**
 * Sharding a matrix across machines or CI jobs (LKP-style: atomic jobs,
 * merged by union). A shard is `i/n`, 1-based. Groups — never single cells —
 * are assigned to shards deterministically: group k of the matrix's group
 * list (run order) goes to shard (k mod n) + 1, so every group lands in
 * exactly one shard, the same one on every machine given the same matrix,
 * and the sizes of a workload spread across shards.
 *
 * The shard can come from `--shard i/n`, or from the environment of the
 * engine running the job: Kubernetes Indexed Jobs set
 * `JOB_COMPLETION_INDEX` (0-based), Slurm job arrays set
 * `SLURM_ARRAY_TASK_ID` (relative to `SLURM_ARRAY_TASK_MIN`, 0-based from
 * there) and `SLURM_ARRAY_TASK_COUNT`; `--shard auto/n` (or `--shard auto`
 * under Slurm) takes the index from there.
 */
import { InputError } from '../../core/errors.js';
import { MSG } from '../messages.js';

/** A shard: `index` of `count`, 1-based. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Parses a `--shard` value.
 * @param spec `i/n` (1 ≤ i ≤ n), `auto/n` or `auto` (index — and for `auto`, count — from `env`)
 * @param env the environment (default `process.env`)
 * @throws InputError for a malformed value, an index out of range, or `auto` without a usable variable
 */
export function parseShard(spec: string, env: NodeJS.ProcessEnv = process.env): Shard {
  const s = spec.trim();
  const m = /^(auto|\d+)(?:\/(\d+))?$/.exec(s);
  if (!m) throw new InputError(MSG.shard.malformed(spec));
  const count = m[2] !== undefined ? Number(m[2]) : m[1] === 'auto' ? envCount(env) : NaN;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new InputError(m[2] === undefined && m[1] === 'auto' ? MSG.shard.noCount() : MSG.shard.malformed(spec));
  }
  const index = m[1] === 'auto' ? envIndex(env) : Number(m[1]);
  if (index === null) throw new InputError(MSG.shard.noEnv());
  if (!Number.isSafeInteger(index) || index < 1 || index > count) throw new InputError(MSG.shard.outOfRange(index, count, m[1] === 'auto'));
  return { index, count };
}

function envInt(env: NodeJS.ProcessEnv, name: string): number | null {
  const v = env[name];
  if (v === undefined || v.trim() === '') return null;
  if (!/^\d+$/.test(v.trim())) throw new InputError(MSG.shard.badEnv(name, v));
  return Number(v.trim());
}

/** 1-based shard index from `JOB_COMPLETION_INDEX` or `SLURM_ARRAY_TASK_ID`; null when neither is set. */
export function envIndex(env: NodeJS.ProcessEnv = process.env): number | null {
  const k8s = envInt(env, 'JOB_COMPLETION_INDEX');
  if (k8s !== null) return k8s + 1;
  const slurm = envInt(env, 'SLURM_ARRAY_TASK_ID');
  if (slurm !== null) return slurm - (envInt(env, 'SLURM_ARRAY_TASK_MIN') ?? 0) + 1;
  return null;
}

function envCount(env: NodeJS.ProcessEnv): number {
  return envInt(env, 'SLURM_ARRAY_TASK_COUNT') ?? NaN;
}

/**
 * The positions (in `items`) of the groups shard `shard` runs: k with
 * k mod n = i − 1.
 */
export function shardIndices(total: number, shard: Shard): number[] {
  const out: number[] = [];
  for (let k = shard.index - 1; k < total; k += shard.count) out.push(k);
  return out;
}

/** The items of shard `shard` (see `shardIndices`), order kept. */
export function shardItems<T>(items: readonly T[], shard: Shard): T[] {
  return shardIndices(items.length, shard).map((k) => items[k]!);
}

/** `i/n`. */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
