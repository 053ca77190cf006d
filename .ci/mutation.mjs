#!/usr/bin/env node
// CI: mutation testing of what a change touches (issue 16). The lines that
// differ from the last landed commit, in the files that hold Linux's rules
// (stryker.config.mjs `mutate`), are mutated with Stryker — static mutants
// left to the full run — and the step fails when fewer than 90% of their
// mutants are killed. The base is `git merge-base HEAD origin/main`; on main
// itself (or without origin/main) it is HEAD's first parent, so a clean clone
// of main checks the last landed commit. At most MUTATION_CI_LINES (default
// 30) changed code lines are mutated, in file order, to keep the step within
// about three minutes; the rest are named and left to `npm run
// test:mutation`. With --print it only says what it would mutate.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();
const tryGit = (...args) => {
  try {
    return git(...args);
  } catch {
    return '';
  }
};
const budget = Number(process.env.MUTATION_CI_LINES ?? 30);

const head = git('rev-parse', 'HEAD');
let base = tryGit('rev-parse', '-q', '--verify', 'origin/main') ? tryGit('merge-base', 'HEAD', 'origin/main') : '';
if (base === '' || base === head) base = tryGit('rev-parse', '-q', '--verify', 'HEAD^');
if (base === '') {
  console.log('mutation: no earlier commit to compare with; nothing to mutate');
  process.exit(0);
}
const { default: config } = await import(new URL('../stryker.config.mjs', import.meta.url));
const files = config.mutate;

/** A line that can hold a mutant: not blank, a comment, an import or a type-only line. */
const isCode = (line) => {
  const t = line.trim();
  return t !== '' && !/^(\/\/|\/\*|\*|import\b|export (type|interface)\b|type\b|interface\b|\}?[;,)]*$)/.test(t);
};

/** 1-based numbers of the lines inside multi-line import statements (`import {` … `} from '…';`): no mutant there. */
const importLines = (text) => {
  const inside = new Set();
  let open = false;
  text.forEach((line, i) => {
    const t = line.trim();
    if (open) {
      inside.add(i + 1);
      if (/\bfrom\s+['"]/.test(t)) open = false;
    } else if (/^import\b/.test(t) && !/\bfrom\s+['"]|^import\s+['"]/.test(t)) open = true;
  });
  return inside;
};

const picked = [];
const left = [];
let taken = 0;
for (const file of files) {
  const diff = tryGit('diff', '-U0', '--no-color', base, head, '--', file);
  if (diff === '') continue;
  const text = readFileSync(file, 'utf8').split('\n');
  const imports = importLines(text);
  for (const m of diff.matchAll(/^@@ -\S+ \+(\d+)(?:,(\d+))? @@/gm)) {
    const start = Number(m[1]);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    for (let l = start; l < start + count; l++) {
      if (!isCode(text[l - 1] ?? '') || imports.has(l)) continue;
      (taken < budget ? picked : left).push([file, l]);
      if (taken < budget) taken++;
    }
  }
}

/** `file:a-b` ranges of consecutive lines. */
const ranges = (lines) => {
  const out = [];
  for (const [file, l] of lines) {
    const last = out[out.length - 1];
    if (last && last.file === file && last.end === l - 1) last.end = l;
    else out.push({ file, start: l, end: l });
  }
  return out.map((r) => `${r.file}:${r.start}-${r.end}`);
};

console.log(`mutation: changes since ${base.slice(0, 12)} — ${picked.length + left.length} changed code lines in ${files.length} Linux-rule files`);
if (picked.length === 0) {
  console.log('mutation: nothing to mutate');
  process.exit(0);
}
if (left.length > 0) console.log(`mutation: ${left.length} lines beyond the budget of ${budget}, left to npm run test:mutation: ${ranges(left).join(' ')}`);
const mutate = ranges(picked);
console.log(`mutation: mutating ${mutate.join(' ')}`);
if (process.argv.includes('--print')) process.exit(0);
const r = spawnSync('npx', ['stryker', 'run', 'stryker.ci.config.mjs', '--mutate', mutate.join(',')], { stdio: 'inherit' });
process.exit(r.status ?? 1);
