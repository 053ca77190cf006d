/**
 * Linux errno values used by the emulated kernel. Operations return 0 or a
 * negative errno, as the kernel does.
 */
export const EPERM = 1;
export const EFAULT = 14;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EBUSY = 16;
export const EINVAL = 22;

const NAMES: Record<number, string> = {
  [EPERM]: 'EPERM',
  [EFAULT]: 'EFAULT',
  [EAGAIN]: 'EAGAIN',
  [ENOMEM]: 'ENOMEM',
  [EBUSY]: 'EBUSY',
  [EINVAL]: 'EINVAL',
};

/** Name of a negative return code (`-22` → `EINVAL`); undefined for 0. */
export function errnoName(ret: number): string | undefined {
  return ret < 0 ? (NAMES[-ret] ?? `E${-ret}`) : undefined;
}

/**
 * Return value the emulator uses for a fault handler answering
 * `VM_FAULT_SIGBUS`: reported as `"ret": -14, "fault": "SIGBUS"`.
 */
export const RET_SIGBUS = -1000 - EFAULT;
/** A user access the kernel answers with `SIGSEGV` (no VMA, or no permission): `"ret": -14, "fault": "SIGSEGV"`. */
export const RET_SIGSEGV = -2000 - EFAULT;
