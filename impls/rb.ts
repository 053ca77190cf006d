/**
 * The red-black tree core shared by the `rbtree` and `interval-tree` range
 * stores — lib/rbtree.c's role: rotations, `rb_insert_color()` and
 * `rb_erase_color()`. An augmented tree keeps its extra per-node data right
 * through rotations with the `rotated` callback (Linux's
 * `rb_augment_callbacks.rotate`).
 *
 * Invariant kept: the root is black, no red node has a red child, every
 * path from a node to a leaf has the same number of black nodes.
 */

/** What a node must carry to be balanced here. */
export interface RbNode<N> {
  left: N | null;
  right: N | null;
  parent: N | null;
  /** Red-black color: true = red. */
  red: boolean;
}

export abstract class RbTree<N extends RbNode<N>> {
  /** Tree root; exposed for tests (mutate only to exercise invariant checks). */
  root: N | null = null;

  /** After a rotation moved `oldTop`'s subtree under `newTop` (augmented trees update their data). */
  protected rotated(_oldTop: N, _newTop: N): void {}

  /** Puts `y` where `x` hangs (under x's parent, or as root). */
  protected replaceChild(x: N, y: N | null): void {
    const p = x.parent;
    if (p === null) this.root = y;
    else if (p.left === x) p.left = y;
    else p.right = y;
  }

  protected rotateLeft(x: N): void {
    const y = x.right!;
    const b = y.left;
    x.right = b;
    if (b !== null) b.parent = x;
    y.parent = x.parent;
    this.replaceChild(x, y);
    y.left = x;
    x.parent = y;
    this.rotated(x, y);
  }

  protected rotateRight(x: N): void {
    const y = x.left!;
    const b = y.right;
    x.left = b;
    if (b !== null) b.parent = x;
    y.parent = x.parent;
    this.replaceChild(x, y);
    y.right = x;
    x.parent = y;
    this.rotated(x, y);
  }

  /** Restores the red-black rules after linking red leaf `z` (`rb_insert_color()`). */
  protected insertFixup(z: N): void {
    let p = z.parent;
    while (p !== null && p.red) {
      const g = p.parent!; // a red node is never the root
      if (p === g.left) {
        const u = g.right;
        if (u !== null && u.red) {
          p.red = false;
          u.red = false;
          g.red = true;
          z = g;
          p = z.parent;
          continue;
        }
        if (z === p.right) {
          this.rotateLeft(p);
          z = p;
          p = z.parent!;
        }
        p.red = false;
        g.red = true;
        this.rotateRight(g);
      } else {
        const u = g.left;
        if (u !== null && u.red) {
          p.red = false;
          u.red = false;
          g.red = true;
          z = g;
          p = z.parent;
          continue;
        }
        if (z === p.left) {
          this.rotateRight(p);
          z = p;
          p = z.parent!;
        }
        p.red = false;
        g.red = true;
        this.rotateLeft(g);
      }
      break;
    }
    this.root!.red = false;
  }

  /**
   * Restores equal black height after a black node was unlinked
   * (`rb_erase_color()`); `x` (maybe null) carries an extra black, `xp` is
   * its parent.
   */
  protected eraseFixup(x: N | null, xp: N | null): void {
    while (x !== this.root && (x === null || !x.red)) {
      const p = xp!;
      if (x === p.left) {
        let w = p.right!; // the sibling exists: its side has black height ≥ 1
        if (w.red) {
          w.red = false;
          p.red = true;
          this.rotateLeft(p);
          w = p.right!;
        }
        if ((w.left === null || !w.left.red) && (w.right === null || !w.right.red)) {
          w.red = true;
          x = p;
          xp = p.parent;
          continue;
        }
        if (w.right === null || !w.right.red) {
          w.left!.red = false;
          w.red = true;
          this.rotateRight(w);
          w = p.right!;
        }
        w.red = p.red;
        p.red = false;
        w.right!.red = false;
        this.rotateLeft(p);
      } else {
        let w = p.left!;
        if (w.red) {
          w.red = false;
          p.red = true;
          this.rotateRight(p);
          w = p.left!;
        }
        if ((w.left === null || !w.left.red) && (w.right === null || !w.right.red)) {
          w.red = true;
          x = p;
          xp = p.parent;
          continue;
        }
        if (w.left === null || !w.left.red) {
          w.right!.red = false;
          w.red = true;
          this.rotateLeft(w);
          w = p.left!;
        }
        w.red = p.red;
        p.red = false;
        w.left!.red = false;
        this.rotateRight(p);
      }
      x = this.root;
      break;
    }
    if (x !== null) x.red = false;
  }
}
