/**
 * Per-composition method bodies, so that the forwarding calls of a composed
 * tracker stay monomorphic when many compositions run in one process.
 *
 * Why: V8 keeps type feedback per function *source* (per SharedFunctionInfo),
 * not per object. One `ComposedTracker.prototype.memtypeLookup` shared by
 * every composition sees five store classes at `this.store.lookup(...)` —
 * megamorphic (> 4), so the call is not inlined and costs a stub-cache probe;
 * measured on ttm-like lookups this added ~60–80% to a 16 ns lookup
 * (bench/micro/dispatch.ts). Per-composition *classes* do not help: the
 * core's shared `lookup_memtype()` code then sees 30+ tracker maps instead.
 *
 * What: a hot method set is written once, as the source text of an object
 * literal of methods (a template). `specialize()` compiles that text with
 * `new Function` once per key — the key names the concrete part classes —
 * and embeds the key in the source, so each composition gets functions of
 * its own (distinct source: no sharing through V8's compilation cache).
 * The functions are installed as own properties by the constructor, always
 * the same names in the same order, so every instance keeps ONE hidden
 * class: the core's call sites stay polymorphic over {composed, oracle,
 * null}, they call an own function (one indirect call), and inside it every
 * `this.store.*` / `this.ram.*` site sees one class and is inlined.
 *
 * Templates may use only `this`, their parameters, JS globals and the names
 * passed in `env`; they must not allocate on hot paths.
 */

/** Small stable ids for classes, to build exact cache keys. */
const classIds = new WeakMap<object, number>();
let nextClassId = 1;

/** A stable small integer naming the class of `obj` (its constructor), plus the class name for readability. */
export function classKey(obj: object): string {
  const ctor = obj.constructor;
  let id = classIds.get(ctor);
  if (id === undefined) {
    id = nextClassId++;
    classIds.set(ctor, id);
  }
  return `${ctor.name}#${id}`;
}

/** Compiled method sets: template → key → methods. */
const compiled = new Map<string, Map<string, object>>();

/**
 * The methods of `template` (source text of an object literal of methods)
 * compiled for `key`: the same object for the same template and key, fresh
 * functions (with their own type feedback) for a new key.
 * @param template object-literal source, e.g. `{ f(x) { return this.a.g(x); } }`
 * @param key what the copy is for (e.g. the part classes); embedded in the source
 * @param env names the template may reference, with their values
 * @returns the methods object (cast by the caller to its method-set type)
 */
export function specialize<T extends object>(template: string, key: string, env: Readonly<Record<string, unknown>> = {}): T {
  let byKey = compiled.get(template);
  if (byKey === undefined) {
    byKey = new Map();
    compiled.set(template, byKey);
  }
  let m = byKey.get(key);
  if (m === undefined) {
    const names = Object.keys(env);
    // The key comment makes each copy's source distinct.
    const src = `"use strict";\n// specialized for: ${key.replace(/[\r\n]/g, ' ')}\nreturn (${template});`;
    m = new Function(...names, src)(...names.map((n) => env[n])) as object;
    byKey.set(key, m);
  }
  return m as T;
}

/** Number of compiled copies of `template` (tests). */
export function specializedCount(template: string): number {
  return compiled.get(template)?.size ?? 0;
}
