import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach } from 'vitest';

/** The counter as a SQLite file holds it. */
export function counterIn(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return Number(db.prepare('SELECT counter FROM user_counter WHERE user_id = 1').pluck().get());
  } finally {
    db.close();
  }
}

/** A fresh SQLite file path for each test of the file, in a directory removed after the test. */
export function freshSqliteFile(): { readonly path: string } {
  const current = { path: '' };
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sqlite-race-'));
    current.path = join(dir, 'counter.db');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return current;
}
