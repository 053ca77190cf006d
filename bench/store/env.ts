/**
 * The environment a run measured on (env.json): Node, V8, CPU model, cores,
 * memory, kernel, load, the git commit of the code and the versions of the
 * packages that shape the measurement. The commit is read from the `.git`
 * folder's files (HEAD, refs, packed-refs) — no `git` process — falling
 * back to CI variables (`GITHUB_SHA`, `CI_COMMIT_SHA`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cpus, hostname, loadavg, release, totalmem, version as osVersion } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { repoRoot } from '../../workloads/profiles.js';
import type { GcMode } from '../measure/memory.js';
import { FILES } from './results.js';

/** env.json. */
export interface RunEnv {
  node: string;
  v8: string;
  platform: string;
  arch: string;
  /** `os.release()` and `os.version()`, e.g. `6.1.0-18-amd64` / `#1 SMP Debian ...`. */
  kernel: string;
  kernelVersion: string;
  cpuModel: string;
  /** Logical CPUs. */
  cores: number;
  /** Total memory, bytes. */
  totalMemoryBytes: number;
  hostname: string;
  /** 1-minute load average when the run started (other processes competing for the cores). */
  loadAverage1m: number;
  /** 1-minute load average when the last group finished; absent while running, and in runs recorded before it was. */
  loadAverageEnd1m?: number;
  /** Commit of the measured code (40 hex digits), or null when unknown. */
  gitCommit: string | null;
  /** Branch name when HEAD is a branch. */
  gitBranch: string | null;
  /** package.json version of memtype-bench and the installed versions of its dependencies. */
  packages: Record<string, string>;
  /** How the workers forced GC (filled from the first measured group; null before). */
  gc: GcMode | null;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The `.git` folder of `root` (follows a `gitdir:` file of worktrees and submodules). */
function gitDir(root: string): string | null {
  const p = join(root, '.git');
  if (!existsSync(p)) return null;
  if (statSync(p).isDirectory()) return p;
  const m = /^gitdir:\s*(.+)$/m.exec(readText(p) ?? '');
  if (!m) return null;
  return isAbsolute(m[1]!.trim()) ? m[1]!.trim() : join(root, m[1]!.trim());
}

/**
 * The commit and branch checked out at `root`, read from `.git` files.
 * @returns nulls when there is no repository or HEAD cannot be resolved
 */
export function gitHead(root: string, env: NodeJS.ProcessEnv = process.env): { commit: string | null; branch: string | null } {
  const fallback = env.GITHUB_SHA ?? env.CI_COMMIT_SHA ?? null;
  const dir = gitDir(root);
  if (!dir) return { commit: fallback, branch: null };
  const head = (readText(join(dir, 'HEAD')) ?? '').trim();
  if (/^[0-9a-f]{40}$/.test(head)) return { commit: head, branch: null };
  const m = /^ref:\s*(\S+)$/.exec(head);
  if (!m) return { commit: fallback, branch: null };
  const ref = m[1]!;
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
  // Worktrees keep refs in the common dir.
  const common = (readText(join(dir, 'commondir')) ?? '').trim();
  const dirs = [dir, ...(common ? [isAbsolute(common) ? common : join(dir, common)] : [])];
  for (const d of dirs) {
    const loose = (readText(join(d, ref)) ?? '').trim();
    if (/^[0-9a-f]{40}$/.test(loose)) return { commit: loose, branch };
    const packed = readText(join(d, 'packed-refs')) ?? '';
    for (const line of packed.split('\n')) {
      const [sha, name] = line.trim().split(/\s+/);
      if (name === ref && /^[0-9a-f]{40}$/.test(sha ?? '')) return { commit: sha!, branch };
    }
  }
  return { commit: fallback, branch };
}

/** memtype-bench's version and the installed versions of its dependencies (from node_modules). */
export function packageVersions(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pkgText = readText(join(root, 'package.json'));
  if (!pkgText) return out;
  const pkg = JSON.parse(pkgText) as { name?: string; version?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  if (pkg.name && pkg.version) out[pkg.name] = pkg.version;
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).sort()) {
    const t = readText(join(root, 'node_modules', name, 'package.json'));
    if (t) out[name] = (JSON.parse(t) as { version?: string }).version ?? 'unknown';
  }
  return out;
}

/** env.json of a run folder; null when absent or unreadable. */
export function readEnv(dir: string): RunEnv | null {
  const text = readText(join(dir, FILES.env));
  if (text === null) return null;
  try {
    return JSON.parse(text) as RunEnv;
  } catch {
    return null;
  }
}

/** The 1-minute load average now, two decimals. */
export function loadAverage(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

/** Collects env.json's content (at the start of a run). */
export function collectEnv(root: string = repoRoot()): RunEnv {
  const cpu = cpus();
  const git = gitHead(root);
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    kernel: release(),
    kernelVersion: osVersion(),
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    totalMemoryBytes: totalmem(),
    hostname: hostname(),
    loadAverage1m: loadAverage(),
    gitCommit: git.commit,
    gitBranch: git.branch,
    packages: packageVersions(root),
    gc: null,
  };
}
