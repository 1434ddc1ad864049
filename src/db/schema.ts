import { randomBytes } from 'node:crypto';
import type pg from 'pg';

/**
 * Every run works in a schema of its own, created fresh (CREATE SCHEMA fails rather than reuse
 * one that exists), so it never touches anyone else's tables and can drop everything it made.
 */
export async function createRunSchema(admin: pg.ClientBase): Promise<string> {
  const name = `race_rig_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${name}`);
  await admin.query(`SET search_path = ${name}`);
  return name;
}

export async function dropRunSchema(admin: pg.ClientBase, name: string): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
}
