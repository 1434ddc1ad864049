/**
 * The workers on a cycle of lock waits (a deadlock the server has yet to break), or an empty
 * list: `waitsFor` maps each waiting worker to the workers whose locks it waits for.
 */
export function deadlockCycle(waitsFor: ReadonlyMap<number, readonly number[]>): number[] {
  for (const start of [...waitsFor.keys()].sort((a, b) => a - b)) {
    const path: number[] = [];
    const seen = new Set<number>();
    const walk = (worker: number): number[] => {
      if (path.includes(worker)) return path.slice(path.indexOf(worker));
      if (seen.has(worker) || !waitsFor.has(worker)) return [];
      seen.add(worker);
      path.push(worker);
      for (const next of waitsFor.get(worker) ?? []) {
        const cycle = walk(next);
        if (cycle.length > 0) return cycle;
      }
      path.pop();
      return [];
    };
    const cycle = walk(start);
    if (cycle.length > 0) return cycle.sort((a, b) => a - b);
  }
  return [];
}
