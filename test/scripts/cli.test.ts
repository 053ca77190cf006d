import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, spawnCli, useCliMain } from '../helpers/cli.js';

const run = useCliMain();

describe('memtype-bench CLI', () => {
  it('a reader that closes the pipe early (| head) on more output than a pipe buffers (~130 KB here) gets no stack trace, and the command exits 0', async () => {
    const cli = `"${process.execPath}" --import tsx scripts/cli.ts run --list --tracker '*' --seed 1,2,3`;
    const p = spawn('bash', ['-o', 'pipefail', '-c', `${cli} | head -1`], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => p.on('close', resolve));
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^matrix .*\n$/);
    expect(code).toBe(0);
  });
  it('usage errors and bad input exit 2 with one line, never a stack', async () => {
    const cases: [string[], RegExp][] = [
      [['run', '--bogus'], /^memtype-bench: unknown option '--bogus'/],
      [['run', '--parallel', 'two'], /^memtype-bench: option '--parallel <n>' argument 'two' is invalid\. not a positive integer/],
      [['run', '--tracker', 'no-such-tracker'], /^memtype-bench: unknown tracker "no-such-tracker"; valid trackers: .*oracle, null\n$/],
      [['run', '--size', 'ttm-fault=0'], /argument 'ttm-fault=0' is invalid/],
      [['run', '--shard', '5/4'], /^memtype-bench: --shard: index 5 is outside 1..4\n$/],
      [['run', '--matrix', 'no/such/matrix.json'], /^memtype-bench: matrix no\/such\/matrix.json: cannot read the file \(ENOENT\)\n$/],
      [['run', '--machine', 'kvm-guest-24g', '--machine-file', 'x'], /exclude each other/],
      [['compare', 'no-such-base', 'no-such-head'], /^memtype-bench: no run "no-such-base"/],
      [['compare', 'a', 'b', '--threshold', 'lots'], /not a non-negative percentage/],
      [['merge', join(tmpdir(), 'mb-never-merged'), 'no-such-run'], /^memtype-bench: no run "no-such-run"/],
      [['trace', 'ttm-fault'], /required option '--size <n>' not specified/],
      [['describe', 'ttm-fault', '--size', '8', '--machine', 'a', '--machine-file', 'b'], /exclude each other/],
      [['list', 'nothing'], /^memtype-bench: command-argument value 'nothing' is invalid/],
      [['verify'], /^memtype-bench: nothing to verify: load parts with --tracker-module PATH, or name trackers with --tracker\n$/],
      [['verify', '--random', '-1'], /argument '-1' is invalid\. not a non-negative integer/],
      [['replay', '--tracker-module', 'no/such.ts', 'test/fixtures/smoke.jsonl'], /^memtype-bench: tracker module no\/such\.ts: no such file\n$/],
      [['list', 'trackers', '--tracker-module', 'README.md'], /^memtype-bench: tracker module README\.md: expected a \.js, \.mjs or \.ts file\n$/],
      [['run', '--list', '--tracker-module', 'test/fixtures/smoke.jsonl'], /^memtype-bench: tracker module .*smoke\.jsonl: expected a \.js, \.mjs or \.ts file\n$/],
      [['trace', 'ttm-fault', '--size', '4', '--tracker-module', 'package.json'], /expected a \.js, \.mjs or \.ts file/],
      [['describe', 'ttm-fault', '--size', '4', '--tracker', 'nope+page-bit+single-page'], /^memtype-bench: unknown tracker "nope\+page-bit\+single-page"/],
      [['replay', '--tracker', 'no-such-store+page-bit+single-page', 'test/fixtures/smoke.jsonl'], /unknown tracker "no-such-store\+page-bit\+single-page" \(the parts of a tracker module are known once the module is loaded\)/],
    ];
    for (const [args, re] of cases) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('list trackers: name, two spaces, description, one per line', async () => {
    const r = await run('list', 'trackers');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(/^\S+ {2}\S/);
    expect(lines.map((l) => l.split('  ')[0])).toContain('oracle');
  });

  it('--tracker-module: list, replay, describe, verify and run --list use a module\'s parts', async () => {
    const mod = ['--tracker-module', 'examples/sorted-array-store.ts'];
    const list = await run('list', 'trackers', ...mod);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^sorted-array\+page-bit-ram-walk\+single-page {2}tutorial: sorted typed arrays/m);
    const rep = await run('replay', ...mod, '--tracker', 'sorted-array+tree+whole-vma', 'test/fixtures/smoke.jsonl');
    const lin = await run('replay', 'test/fixtures/smoke.jsonl');
    expect(rep.code).toBe(0);
    expect(rep.stdout).toBe(lin.stdout);
    const desc = await run('describe', 'ioremap-churn', '--size', '8', ...mod, '--tracker', 'sorted-array+page-bit+single-page');
    expect(desc.stdout).toMatch(/live state over time \(replayed on sorted-array\+page-bit\+single-page\)/);
    const ver = await run('verify', ...mod, '--tracker', 'sorted-array+page-bit+single-page', '--random', '10');
    expect(ver.code).toBe(0);
    expect(ver.stdout).toMatch(/^ok {4}sorted-array\+page-bit\+single-page {2}6 conformance traces \+ 10 random traces/);
    const bad = join(mkdtempSync(join(tmpdir(), 'mb-cli-')), 'min.jsonl');
    const fail = await run('verify', '--tracker-module', 'examples/broken-store.ts', '--tracker', 'first-overlap-only+page-bit+single-page', '-o', bad);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toMatch(/^FAIL {2}first-overlap-only\+page-bit\+single-page {2}diverges from the oracle\n/);
    expect(readFileSync(bad, 'utf8')).toMatch(/^# memtype-bench verify: /);
    const plan = await run('run', '--list', '--quick', ...mod, '--tracker', 'sorted-array+page-bit-ram-walk+single-page');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^tracker modules: \/.*\/examples\/sorted-array-store\.ts \([0-9a-f]{16}\)$/m);
    expect(plan.stdout).toMatch(/^xorg-fb\/\d+\/1\/sorted-array\+page-bit-ram-walk\+single-page$/m);
  }, 20_000);

  it('run --list is a dry run of the default matrix; auto shards read JOB_COMPLETION_INDEX', async () => {
    const all = await run('run', '--list');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^matrix .*default\.json \(hash [0-9a-f]{16}\)/);
    expect(all.stdout).toContain('interval-tree+page-bit-ram-walk+single-page (baseline)');
    process.env.JOB_COMPLETION_INDEX = '1';
    let shard: Awaited<ReturnType<typeof run>>;
    try {
      shard = await run('run', '--list', '--shard', 'auto/2');
    } finally {
      delete process.env.JOB_COMPLETION_INDEX;
    }
    const cells = all.stdout.split('cells:\n')[1]!.trim().split('\n');
    const shardCells = shard.stdout.split('cells:\n')[1]!.trim().split('\n');
    expect(shard.stdout).toMatch(/shard 2\/2: /);
    expect(shardCells.length).toBeLessThan(cells.length);
    for (const c of shardCells) expect(cells).toContain(c);
    const quick = await run('run', '--list', '--quick');
    expect(quick.stdout).toMatch(/quick\.json/);
  });

  it('--rounds is a hidden alias of --forks, with a note', async () => {
    const r = await run('run', '--list', '--workload', 'xorg-fb', '--size', '8', '--rounds', '2');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: --rounds is now --forks/);
    expect(r.stdout).toMatch(/each measured in 2 forks \(a fresh isolate each\)/);
    const help = await run('run', '--help');
    expect(help.stdout).toContain('--forks <n>');
    expect(help.stdout).not.toContain('--rounds');
  });

  it('a tiny real run (worker-thread forks, from sources) writes one line per cell × fork and prints the table; compare reads it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-cli-'));
    const r = await spawnCli('run', '--workload', 'xorg-fb', '--size', '8', '--tracker', 'vma-walk+page-bit+single-page', '--time', '5', '--forks', '2', '--out', out, '--run-id', 'tiny', '--no-charts');
    expect(r.stderr).toMatch(/\[1\/1\] xorg-fb\/8\/1: 3 cells/);
    expect(r.stdout).not.toMatch(/^error: /m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/forks: a fresh worker thread per tracker and fork/);
    expect(r.stdout).toMatch(/all 2 tracker cells valid/);
    expect(readdirSync(join(out, 'tiny')).sort()).toEqual(['env.json', 'results.csv', 'results.json', 'results.jsonl', 'run.json', 'summary.md']);
    const lines = readFileSync(join(out, 'tiny', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { cellId: string; fork: number; validity: string; stats: unknown });
    expect(lines).toHaveLength(3 * 2);
    expect(lines.map((l) => `${l.cellId}#${l.fork}`).sort()).toEqual(
      ['null', 'interval-tree+page-bit-ram-walk+single-page', 'vma-walk+page-bit+single-page'].flatMap((t) => [0, 1].map((k) => `xorg-fb/8/1/${t}#${k}`)).sort(),
    );
    expect(lines.every((l) => l.validity !== 'errored' && l.stats !== null)).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'tiny', 'run.json'), 'utf8'))).toMatchObject({ isolation: 'thread', matrix: { forks: 2 } });
    const cmp = await run('compare', join(out, 'tiny'), join(out, 'tiny'));
    expect(cmp.code).toBe(0);
    expect(cmp.stdout).toMatch(/0 of 3 common cells changed significantly|0 of 3 cells changed significantly/);
  }, 60_000);

  it('--version prints the package version; every command\'s help ends with an example; compare gives its defaults in percent', async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) expect(await run(flag)).toMatchObject({ code: 0, stdout: `${version}\n` });
    for (const cmd of ['run', 'reproduce', 'agreement', 'compare', 'report', 'publish', 'project', 'merge', 'trace', 'describe', 'list', 'replay', 'verify']) {
      const h = await run(cmd, '--help');
      expect(h.code, cmd).toBe(0);
      expect(h.stdout, cmd).toMatch(new RegExp(`\\nExample:\\n {2}\\$ memtype-bench ${cmd} .+\\n$`));
    }
    const compare = (await run('compare', '--help')).stdout;
    expect(compare).toMatch(/--threshold <pct> +regression threshold, percent slower \(default: 5\)/);
    expect(compare).toMatch(/--min-effect <pct> +smallest change marked significant, percent \(default: 2\)/);
    expect((await run('agreement', '--help')).stdout.replace(/\s+/g, ' ')).toMatch(/--tolerance <pct> [^(]*\(default: 10\)/);
    expect((await run('replay', '--help')).stdout).toContain("--check");
  });

  it('the preflight drops what cannot fit the machine, one line each, before any results folder exists; --list shows it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-pre-'));
    // 100 000 buffer objects of ram-attr need more RAM than this 1.5 GiB machine's largest chunk; 8 fit.
    const list = await run('run', '--list', '--workload', 'ram-attr', '--size', '8,100000', '--machine', 'lp594965', '--tracker', 'btree+page-bit+single-page');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/dropped before the run \(cannot fit the machine\): 1 group\n {2}dropped ram-attr\/100000\/1 on lp594965: ram-attr: size 100000 /);
    expect(list.stdout).toContain('ram-attr/8/1/null');
    expect(list.stdout).not.toContain('ram-attr/100000/1/null');
    const all = await run('run', '--workload', 'ram-attr', '--size', '100000', '--machine', 'lp594965', '--out', out);
    expect(all.code).toBe(2);
    expect(all.stdout).toMatch(/^preflight: 1 group cannot fit the machine and will not run:\n {2}dropped ram-attr\/100000\/1 on lp594965: /);
    expect(all.stderr).toMatch(/^memtype-bench: nothing to run: every one of the 1 group cannot fit its machine/);
    expect(readdirSync(out)).toEqual([]);
  });
});
