// The wallet service's HTTP endpoint raced: race-rig starts the app on the run's schema, opens one
// connection per worker, stages every POST /wallets/1/withdraw but its last byte, and writes all
// the last bytes in one loop:
//   node dist/rig.js --scenario ./examples/wallet-service/race-http.js --mode check-then-act --workers 50
// (install the example first: npm ci --prefix examples/wallet-service)
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import service, { AMOUNT, WALLET } from './race-service.js';
import { buildApp } from './src/app.js';

/** When each worker's first request's body was complete at the server (epoch ms), for the run in progress. */
let bodiesCompleteAt = [];

/** Marks the request each worker sends at the start, the one whose arrival the spread measures. */
export const FIRST = 'x-race-first';

const spread = (times) => (times.length > 1 ? Math.round((Math.max(...times) - Math.min(...times)) * 1000) / 1000 : 0);

/** Opens the pool's connections before the race, as a running app has them: a connection opened mid-race costs milliseconds of this thread. */
async function warm(pool, size) {
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  for (const client of clients) client.release();
}

/**
 * Runs the withdraw path a few times on a wallet that does not exist (no row changes), so that
 * the race meets the app warm, as in production, rather than compiling its code on the first requests.
 */
async function warmUp(app) {
  for (let i = 0; i < 50; i++) await app.inject({ method: 'POST', url: '/wallets/0/withdraw', payload: { amount: AMOUNT } });
}

/** The app's connection pool: pg's default size, as a service would run it (requests beyond it queue for a connection). */
const POOL_SIZE = 10;

/** The app as it would run in production, on the run's schema. */
export async function startWalletApp({ mode, connection }, { http2 = false } = {}) {
  const pool = new pg.Pool({ ...connection, max: POOL_SIZE });
  pool.on('error', () => {}); // an idle connection the server ends is simply replaced
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  bodiesCompleteAt = [];
  const app = buildApp(db, { guarded: mode === 'guarded', http2, onBodyComplete: (at, request) => request.headers[FIRST] && bodiesCompleteAt.push(at) });
  try {
    await warm(pool, POOL_SIZE);
    await app.listen({ host: '127.0.0.1', port: 0 });
    await warmUp(app);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const close = async () => {
    await app.close();
    await db.destroy();
  };
  return { url: `http://127.0.0.1:${app.server.address().port}`, close };
}

/** The service scenario's verdict, with the spread of the bodies' completion at the server. */
export async function verifyWithSpread(client, context) {
  const verdict = await service.verify(client, context);
  return { ...verdict, figures: { ...verdict.figures, bodySpreadMs: spread(bodiesCompleteAt) } };
}

export default {
  ...service,
  name: 'wallet-http',
  summary: "The example wallet service's POST /wallets/:id/withdraw, raced over HTTP with last-byte sync.",
  worker: undefined,
  app: startWalletApp,
  http: {
    request: ({ iteration }) => ({ method: 'POST', path: `/wallets/${WALLET}/withdraw`, body: { amount: AMOUNT }, headers: iteration === 0 ? { [FIRST]: '1' } : {} }),
    outcome: (response) => ({ 200: 'accepted', 409: 'refused' })[response.status] ?? `HTTP ${response.status}`,
  },
  verify: verifyWithSpread,
};
