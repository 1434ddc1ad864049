import { InvalidOptionError } from '../errors.js';

/** The isolation levels the rig runs specs at, as flags name them and as PostgreSQL does. */
export const LEVELS = {
  'read-committed': 'read committed',
  'repeatable-read': 'repeatable read',
  serializable: 'serializable',
} as const;

export type LevelName = keyof typeof LEVELS;

export function levelNamed(name: string): LevelName {
  if (!Object.hasOwn(LEVELS, name)) throw new InvalidOptionError(`--isolation must be one of: ${Object.keys(LEVELS).join(', ')} (got '${name}')`);
  return name as LevelName;
}
