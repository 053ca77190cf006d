/**
 * Per-process radix page tables, x86-64 style: 512 eight-byte entries per
 * 4 KiB table page at every level, 4 levels (PGD/PUD/PMD/PTE) or 5 (+P4D),
 * or — s390-style (`crst_table_upgrade()`) — starting at 2–5 levels and
 * growing a new top level on demand when a higher address is mapped.
 *
 * Storage: one `Float64Array(512)` per table page (exactly the 4 KiB the
 * kernel spends), no object per PTE. Upper-level entries hold the child
 * table's index + 1 (0 = `pXd_none`). PTEs hold the x86 layout as a double:
 * `pfn * 4096 + flags` (flags in the low 12 bits; 0 = `pte_none`), exact for
 * physical addresses below 2^53. Addresses here are virtual page numbers
 * (vpn = vaddr / 4096). Tables that become empty are freed at once
 * (`free_pgtables()`), so modeled bytes follow live mappings.
 */

export const PTRS_PER_TABLE = 512;
/** Modeled bytes of one table page. */
export const TABLE_BYTES = 4096;

/** PTE flag bits (arch/x86/include/asm/pgtable_types.h). */
export const _PAGE_PRESENT = 0x1;
export const _PAGE_RW = 0x2;
export const _PAGE_USER = 0x4;
/** `_PAGE_SPECIAL` (`_PAGE_BIT_SOFTW1` = 9): no struct page behind it for vm_normal_page(). */
export const _PAGE_SPECIAL = 0x200;
/** `_PAGE_PROTNONE` (the global bit's position): a PROT_NONE PTE, kept but not accessible. */
export const _PAGE_PROTNONE = 0x100;

/** vpns covered by one entry at level l (1 = PTE): 512^(l-1). */
const SPAN = [0, 1, 512, 512 ** 2, 512 ** 3, 512 ** 4, 512 ** 5];

/** Builds a PTE value. */
export function mkPte(pfn: number, flags: number): number {
  return pfn * 4096 + flags;
}
/** pfn of a PTE value. */
export function ptePfn(pte: number): number {
  return Math.floor(pte / 4096);
}
/** Flag bits of a PTE value. */
export function pteFlags(pte: number): number {
  return pte - Math.floor(pte / 4096) * 4096;
}

/** Called for each present PTE of a walk: (vpn, pte value). */
export type PteFn = (vpn: number, pte: number) => void;

/**
 * Callbacks of the generic walker (`struct mm_walk_ops`, mm/pagewalk.c).
 * vpns are virtual page numbers; ranges are `[start, end)`.
 */
export interface MmWalkOps {
  /** Each present PTE (`pte_entry`). */
  pteEntry?(vpn: number, pte: number): void;
  /** Each present PMD entry, before its PTEs (`pmd_entry`): the first vpn it covers. */
  pmdEntry?(vpn: number): void;
  /** A range with no table below `depth` (0 = the top level) (`pte_hole`). */
  pteHole?(start: number, end: number, depth: number): void;
}

/**
 * How many table pages the page tables of one machine may hold at once:
 * untrusted traces get -ENOMEM instead of exhausting the process's memory.
 */
export class TableBudget {
  /** Live table pages. */
  live = 0;
  /** @param limit most live table pages (default 2^18 = 1 GiB of page tables) */
  constructor(readonly limit = 1 << 18) {}
}

/** Highest level count of a dynamic table. */
export const MAX_LEVELS = 5;

/**
 * Free table pages (the page allocator's role for page-table pages): a
 * freed table is all zeros by construction, so it is handed out again
 * without clearing. One pool per thread (`TablePool.shared`) outlives
 * machines, so fork/exit churn and fresh machines in timed replays allocate
 * nothing in steady state; it keeps at most `cap` free tables.
 */
export class TablePool {
  /** The thread's pool, used by default. */
  static readonly shared = new TablePool();
  private free: Float64Array[] = [];

  /** @param cap most free tables kept (default 8192 = 32 MiB) */
  constructor(private readonly cap = 8192) {}

  /** A zeroed 512-entry table. */
  take(): Float64Array {
    return this.free.pop() ?? new Float64Array(PTRS_PER_TABLE);
  }

  /** Returns a table whose entries are all zero. */
  give(t: Float64Array): void {
    if (this.free.length < this.cap) this.free.push(t);
  }

  /** Drops every free table (before measuring a machine's own JS bytes). */
  drain(): void {
    this.free = [];
  }
}

export class PageTable {
  private tabs: (Float64Array | null)[] = [];
  /** Non-zero entries per table. */
  private used: number[] = [];
  private parent: number[] = [];
  private slot: number[] = [];
  private freeIdx: number[] = [];
  private liveTables = 0;
  private rootIdx: number;
  private nLevels: number;
  /** One-entry cache of the last leaf table: key = vpn / 512. */
  private cacheKey = -1;
  private cacheIdx = -1;

  /**
   * @param levels level count at creation, 2–5
   * @param dynamic add top levels on demand (s390 `crst_table_upgrade()`), up to 5
   * @param pool where table pages come from and go back to
   * @param budget the machine's table-page budget (shared by its processes)
   */
  constructor(
    levels: number,
    readonly dynamic = false,
    private readonly pool: TablePool = TablePool.shared,
    private readonly budget: TableBudget = new TableBudget(),
  ) {
    this.nLevels = levels;
    this.rootIdx = this.alloc(-1, -1);
  }

  /** Current level count. */
  get levels(): number {
    return this.nLevels;
  }

  /** Highest vpn + 1 the table can map now. */
  get maxVpn(): number {
    return SPAN[this.nLevels + 1]!;
  }

  /** Highest vpn + 1 the table can ever map (after upgrades). */
  get limitVpn(): number {
    return SPAN[(this.dynamic ? MAX_LEVELS : this.nLevels) + 1]!;
  }

  /** Adds top levels until `vpn` is covered (dynamic tables only). */
  private upgradeFor(vpn: number): void {
    while (vpn >= this.maxVpn) {
      if (!this.dynamic || this.nLevels >= MAX_LEVELS) throw new RangeError(`vpn ${vpn} beyond a ${this.nLevels}-level table`);
      const old = this.rootIdx;
      const top = this.alloc(-1, -1);
      this.tabs[top]![0] = old + 1;
      this.used[top] = 1;
      this.parent[old] = top;
      this.slot[old] = 0;
      this.rootIdx = top;
      this.nLevels++;
    }
  }

  /** Number of live table pages. */
  get tableCount(): number {
    return this.liveTables;
  }

  /** Modeled kernel bytes: 4 KiB per live table page. */
  modeledBytes(): number {
    return this.liveTables * TABLE_BYTES;
  }

  private alloc(parent: number, slot: number): number {
    // Stryker disable next-line ConditionalExpression: equivalent (the test → false) — a fresh index instead of a freed one: indices are not observable
    const t = this.freeIdx.length > 0 ? this.freeIdx.pop()! : this.tabs.length;
    this.tabs[t] = this.pool.take();
    this.used[t] = 0;
    this.parent[t] = parent;
    this.slot[t] = slot;
    this.liveTables++;
    this.budget.live++;
    return t;
  }

  /** Could `n` more table pages be allocated? */
  private canAlloc(n: number): boolean {
    return this.budget.live + n <= this.budget.limit;
  }

  /**
   * Index of the leaf (PTE) table for `vpn`; -1 when absent and `create` is
   * false, or when creating it would exceed the budget.
   */
  private leaf(vpn: number, create: boolean): number {
    // Stryker disable next-line ArithmeticOperator: equivalent (vpn * 512) — a key per vpn: the cache hits less, the walk finds the same table
    const key = Math.floor(vpn / PTRS_PER_TABLE);
    // Stryker disable next-line ConditionalExpression: equivalent (the test → false) — without the cache the walk finds the same table
    if (key === this.cacheKey) return this.cacheIdx;
    if (create && !this.canAlloc(MAX_LEVELS)) {
      const t = this.leaf(vpn, false);
      return t;
    }
    if (vpn >= this.maxVpn) {
      if (!create) return -1;
      this.upgradeFor(vpn);
    }
    let t = this.rootIdx;
    for (let l = this.nLevels; l > 1; l--) {
      const tab = this.tabs[t]!;
      const i = Math.floor(vpn / SPAN[l]!) % PTRS_PER_TABLE;
      const e = tab[i]!;
      if (e === 0) {
        if (!create) return -1;
        const c = this.alloc(t, i);
        tab[i] = c + 1;
        this.used[t]!++;
        t = c;
      } else {
        t = e - 1;
      }
    }
    this.cacheKey = key;
    this.cacheIdx = t;
    return t;
  }

  /** The PTE for `vpn` (0 when none). */
  get(vpn: number): number {
    const t = this.leaf(vpn, false);
    return t < 0 ? 0 : this.tabs[t]![vpn % PTRS_PER_TABLE]!;
  }

  /**
   * Sets the PTE for `vpn` (allocating tables on the way). `pte` must be
   * non-zero. Returns false, changing nothing, when a needed table would
   * exceed the budget (`-ENOMEM` for the caller).
   */
  set(vpn: number, pte: number): boolean {
    const t = this.leaf(vpn, true);
    if (t < 0) return false;
    const tab = this.tabs[t]!;
    const i = vpn % PTRS_PER_TABLE;
    if (tab[i] === 0) this.used[t]!++;
    tab[i] = pte;
    return true;
  }

  /** Clears the PTE for `vpn`; returns the old value (0 when none). */
  clear(vpn: number): number {
    const t = this.leaf(vpn, false);
    if (t < 0) return 0;
    const tab = this.tabs[t]!;
    const i = vpn % PTRS_PER_TABLE;
    const old = tab[i]!;
    if (old !== 0) {
      tab[i] = 0;
      if (--this.used[t]! === 0) this.freeTable(t);
    }
    return old;
  }

  private freeTable(t: number): void {
    while (t !== this.rootIdx) {
      const p = this.parent[t]!;
      this.tabs[p]![this.slot[t]!] = 0;
      this.dropTable(t);
      if (--this.used[p]! !== 0) return;
      t = p;
    }
  }

  /** Calls `fn` for each present PTE with vpn in `[vs, ve)`, in address order. */
  forEach(vs: number, ve: number, fn: PteFn): void {
    this.walkRange(vs, ve, { pteEntry: fn });
  }

  /**
   * The generic page-table walker (`walk_page_range()`): visits `[vs, ve)`
   * top-down, calling `ops` for present PTEs, present PMD entries and holes.
   * @param assumeLevels the level count the walker believes the top table
   *   has (default the real one); a wrong value models a walker that steps
   *   the top level with a fixed span (bug `walker-fixed-levels`)
   */
  walkRange(vs: number, ve: number, ops: MmWalkOps, assumeLevels = this.nLevels): void {
    // Stryker disable next-line EqualityOperator: equivalent (ve >= maxVpn) — at ve = maxVpn the assignment changes nothing
    if (ve > this.maxVpn) ve = this.maxVpn;
    if (ve <= vs) return;
    // The top table: stepped with the (possibly assumed) top level's span.
    const tab = this.tabs[this.rootIdx]!;
    const span = SPAN[assumeLevels]!;
    const i0 = Math.floor(vs / span);
    const i1 = Math.floor((ve - 1) / span);
    for (let i = i0; i <= i1 && i < PTRS_PER_TABLE; i++) {
      const base = i * span;
      // Stryker disable next-line EqualityOperator: equivalent (base >= vs) — at base = vs both arms are the same
      const s = base > vs ? base : vs;
      // Stryker disable next-line EqualityOperator: equivalent (base + span <= ve) — at base + span = ve both arms are the same
      const e = base + span < ve ? base + span : ve;
      const entry = tab[i]!;
      if (entry === 0) {
        if (ops.pteHole) ops.pteHole(s, e, 0);
      } else {
        if (this.nLevels === 2 && ops.pmdEntry) ops.pmdEntry(base);
        this.walkLevel(entry - 1, this.nLevels - 1, base, s, e, ops, 1);
      }
    }
  }

  private walkLevel(t: number, level: number, base: number, vs: number, ve: number, ops: MmWalkOps, depth: number): void {
    const tab = this.tabs[t]!;
    const span = SPAN[level]!;
    // Stryker disable next-line EqualityOperator: equivalent (vs >= base) — at vs = base both arms are 0
    const i0 = vs > base ? Math.floor((vs - base) / span) : 0;
    const i1 = Math.min(PTRS_PER_TABLE - 1, Math.floor((ve - 1 - base) / span));
    for (let i = i0; i <= i1; i++) {
      const e = tab[i]!;
      const b = base + i * span;
      if (e === 0) {
        // Stryker disable next-line EqualityOperator: equivalent (b >= vs, b + span <= ve) — at equality both arms are the same
        if (ops.pteHole) ops.pteHole(b > vs ? b : vs, b + span < ve ? b + span : ve, depth);
      } else if (level === 1) {
        if (ops.pteEntry) ops.pteEntry(b, e);
      } else {
        if (level === 2 && ops.pmdEntry) ops.pmdEntry(b);
        this.walkLevel(e - 1, level - 1, b, vs, ve, ops, depth + 1);
      }
    }
  }

  /**
   * Clears every PTE in `[vs, ve)` (`zap_pte_range()`), calling `fn` (if
   * given) with each old value first, and frees tables that become empty.
   * With `assumeLevels` ≠ the real count the top level is stepped wrongly,
   * as the generic walker does (bug `walker-fixed-levels`).
   */
  clearRange(vs: number, ve: number, fn?: PteFn, assumeLevels = this.nLevels): void {
    if (assumeLevels !== this.nLevels) {
      // The buggy walk reports entries at wrong addresses: clear those.
      const hits: number[] = [];
      this.walkRange(vs, ve, { pteEntry: (vpn, pte) => (fn?.(vpn, pte), hits.push(vpn)) }, assumeLevels);
      for (const vpn of hits) this.clear(vpn);
      return;
    }
    // Stryker disable next-line EqualityOperator: equivalent (ve >= maxVpn) — at ve = maxVpn the assignment changes nothing
    // Stryker disable next-line ConditionalExpression: equivalent (the test → false) — zapLevel() caps every level's last slot at 511, the same as cutting at maxVpn
    if (ve > this.maxVpn) ve = this.maxVpn;
    if (ve <= vs) return;
    this.zapLevel(this.rootIdx, this.nLevels, 0, vs, ve, fn);
  }

  /** Clears `[vs, ve)` below table `t` (at `level`, covering from `base`); returns whether `t` became empty. */
  private zapLevel(t: number, level: number, base: number, vs: number, ve: number, fn: PteFn | undefined): boolean {
    const tab = this.tabs[t]!;
    const span = SPAN[level]!;
    // Stryker disable next-line EqualityOperator: equivalent (vs >= base) — at vs = base both arms are 0
    const i0 = vs > base ? Math.floor((vs - base) / span) : 0;
    const i1 = Math.min(PTRS_PER_TABLE - 1, Math.floor((ve - 1 - base) / span));
    let used = this.used[t]!;
    // Once used is 0 every entry left is empty: going on (used >= 0, or the test → true) only skips them.
    // Stryker disable next-line EqualityOperator: equivalent (used >= 0) — the entries left are all empty
    // Stryker disable next-line ConditionalExpression: equivalent (used > 0 → true) — the entries left are all empty
    for (let i = i0; i <= i1 && used > 0; i++) {
      const e = tab[i]!;
      if (e === 0) continue;
      if (level === 1) {
        if (fn) fn(base + i, e);
        tab[i] = 0;
        used--;
      } else if (this.zapLevel(e - 1, level - 1, base + i * span, vs, ve, fn)) {
        this.dropTable(e - 1);
        tab[i] = 0;
        used--;
      }
    }
    this.used[t] = used;
    // Stryker disable next-line ConditionalExpression: equivalent (t !== rootIdx → true) — clearRange() never reads the root's result
    return used === 0 && t !== this.rootIdx;
  }

  /** Frees one empty table (its parent entry is cleared by the caller). */
  private dropTable(t: number): void {
    this.pool.give(this.tabs[t]!);
    this.tabs[t] = null;
    this.freeIdx.push(t);
    this.liveTables--;
    this.budget.live--;
    // Stryker disable next-line ConditionalExpression: equivalent (the test → true) — dropping the cache for another table only costs a walk
    if (t === this.cacheIdx) this.cacheKey = this.cacheIdx = -1;
  }

  /**
   * Fills `n` PTEs from `vpn`: the i-th is `pte0 + i * 4096` (consecutive
   * pfns, same flags) — `remap_pte_range()`. Writes nothing and returns
   * `'present'` when any of them is already present, `'nomem'` when the
   * tables would exceed the budget; else `'ok'`.
   */
  fillRange(vpn: number, n: number, pte0: number): 'ok' | 'present' | 'nomem' {
    if (!this.canAlloc(Math.ceil(n / PTRS_PER_TABLE) * 2 + MAX_LEVELS)) return 'nomem';
    for (let i = 0; i < n; ) {
      const v = vpn + i;
      const t = this.leaf(v, false);
      const run = Math.min(n - i, PTRS_PER_TABLE - (v % PTRS_PER_TABLE));
      if (t >= 0) {
        const tab = this.tabs[t]!;
        const o = v % PTRS_PER_TABLE;
        for (let k = 0; k < run; k++) if (tab[o + k] !== 0) return 'present';
      }
      i += run;
    }
    for (let i = 0; i < n; ) {
      const v = vpn + i;
      const t = this.leaf(v, true);
      const run = Math.min(n - i, PTRS_PER_TABLE - (v % PTRS_PER_TABLE));
      const tab = this.tabs[t]!;
      const o = v % PTRS_PER_TABLE;
      for (let k = 0; k < run; k++) tab[o + k] = pte0 + (i + k) * 4096;
      this.used[t]! += run;
      i += run;
    }
    return 'ok';
  }

  /** Gives every table page back to the pool (process exit); the table is unusable afterwards. */
  release(): void {
    // Stryker disable next-line EqualityOperator: equivalent (t <= tabs.length) — tabs[tabs.length] is undefined and skipped
    for (let t = 0; t < this.tabs.length; t++) {
      const tab = this.tabs[t];
      if (!tab) continue;
      // Stryker disable next-line ConditionalExpression: equivalent (the test → true) — zeroing a table with no entry changes nothing
      if (this.used[t] !== 0) tab.fill(0);
      this.pool.give(tab);
      this.tabs[t] = null;
    }
    this.budget.live -= this.liveTables;
    this.liveTables = 0;
    // Stryker disable next-line UnaryOperator: equivalent — the table is unusable after release(): nothing reads the cache again
    this.cacheKey = this.cacheIdx = -1;
  }

  /** JavaScript bytes of the table storage (typed-array payloads). */
  jsBytes(): number {
    return this.liveTables * PTRS_PER_TABLE * 8;
  }
}
