import { constants } from 'node:fs';
import { access, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errorMessage, InvalidOptionError, RigError } from '../errors.js';

/** Before a run that may take minutes: can the report be written where the flag says? */
export async function checkWritable(flag: string, file: string | undefined): Promise<void> {
  if (file === undefined) return;
  if (file === '') throw new InvalidOptionError(`${flag} needs a file name`);
  const directory = dirname(resolve(file));
  try {
    await access(directory, constants.W_OK);
  } catch {
    throw new InvalidOptionError(`${flag} ${file}: the directory ${directory} does not exist or is not writable`);
  }
}

/** Writes a report whole or not at all: to a temp file beside it, then renamed over it. */
export async function writeReport(flag: string, file: string, content: string): Promise<void> {
  const path = resolve(file);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new RigError(`cannot write ${flag} ${file}: ${errorMessage(error)}`);
  }
}
