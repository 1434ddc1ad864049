import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const USER = 'postgres';

/** Who the cluster's processes run as: `{}` for the rig's own user. */
export type ClusterOwner = { readonly uid: number; readonly gid: number } | Record<string, never>;

async function idsOf(user: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
  return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
}

/**
 * PostgreSQL refuses to run as root; as root, the cluster runs as a `postgres` user, created
 * (with its group) if missing. Anyone else runs it as themselves.
 */
export async function clusterOwner(): Promise<ClusterOwner> {
  if (process.getuid?.() !== 0) return {};
  try {
    return await idsOf(USER);
  } catch {
    try {
      await run('groupadd', ['-f', USER]);
      await run('useradd', ['-g', USER, USER]);
      return await idsOf(USER);
    } catch (error) {
      throw new Error(`could not create a ${USER} user to run PostgreSQL as (it refuses to run as root): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
