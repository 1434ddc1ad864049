type Method = (...args: unknown[]) => unknown;

/**
 * A stand-in for `target`: every property but those `override` replaces (it returns undefined
 * for the rest) is the target's own, its methods called on the target; a method that returns the
 * target itself (`pluck()`, `on()`) returns the stand-in, so that chained calls stay on it.
 */
export function forward<T extends object>(target: T, override: (property: string | symbol) => unknown): T {
  const proxy: T = new Proxy(target, {
    get(object, property) {
      const replaced = override(property);
      if (replaced !== undefined) return replaced;
      const value = Reflect.get(object, property, object) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as Method).apply(object, args);
        return result === object ? proxy : result;
      };
    },
  });
  return proxy;
}
