import { InvalidOptionError } from '../errors.js';

/**
 * Small tools the built-in scenarios share; a scenario module can import them from 'race-rig'.
 */

/** A well-mixed, deterministic choice in [0, modulo) for a worker's operation: the same run, the same picks. */
export function pick(worker: number, iteration: number, salt: number, modulo: number): number {
  let x = Math.imul(worker + 1, 0x9e3779b1) ^ Math.imul(iteration + 1, 0x85ebca77) ^ Math.imul(salt + 1, 0xc2b2ae3d);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x ^= x >>> 16;
  return (x >>> 0) % modulo;
}

/** A whole-number scenario parameter (`--param name=N`), checked, or its default. */
export function intParam(params: Readonly<Record<string, string>>, name: string, fallback: number, min: number, max: number): number {
  const raw = params[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new InvalidOptionError(`--param ${name} must be a whole number from ${min} to ${max} (got '${raw}')`);
  }
  return value;
}

export const integer = new Intl.NumberFormat('en-US');
