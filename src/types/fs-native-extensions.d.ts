/** The part of fs-native-extensions (holepunchto) the file-lock mode uses; it ships no types. */
declare module 'fs-native-extensions' {
  /** Takes an exclusive (or, with `shared`, a shared) lock on the whole file; false if another holds it. */
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean;
  export function unlock(fd: number): void;
}
