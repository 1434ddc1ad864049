// The wallet service's withdraw() raced from race-rig's worker threads, each with the service
// built on its own connection (the pool the rig gives each worker):
//   node dist/rig.js --scenario ./examples/wallet-service/race-service.js --mode check-then-act
// (install the example first: npm ci --prefix examples/wallet-service)
import { Kysely, PostgresDialect } from 'kysely';
import { createTables } from './src/schema.js';
import { walletService } from './src/wallet.js';

export const WALLET = 1;
export const AMOUNT = 10;

/** Kysely on the coordinator's client, for the set-up: a pool of that one client, never closed. */
const onClient = (client) => new Kysely({ dialect: new PostgresDialect({ pool: { connect: async () => ({ query: (text, values) => client.query(text, values), release: () => {} }) } }) });

/** Enough for half the workers' first withdrawals, so that the race is decided at the start. */
const startBalance = (workers) => AMOUNT * Math.max(1, Math.ceil(workers / 2));

export default {
  name: 'wallet-service',
  summary: "The example wallet service's withdraw(), written with kysely, called from every worker.",
  unit: { one: 'withdrawal', many: 'withdrawals' },
  modes: [
    { name: 'check-then-act', summary: 'The service as first written: read the balance, then debit it; several withdrawals pass the same check.', outcome: 'race', retries: false },
    { name: 'guarded', summary: 'The fix: the balance check is part of the UPDATE, which the row lock serializes.', outcome: 'correct', retries: false },
  ],

  async setup(client, { workers }) {
    const db = onClient(client);
    await createTables(db);
    await db.insertInto('wallets').values({ id: WALLET, balance: startBalance(workers) }).execute();
  },

  worker({ mode, pool }) {
    const wallets = walletService(new Kysely({ dialect: new PostgresDialect({ pool }) }), { guarded: mode === 'guarded' });
    return { attempt: async () => ({ outcome: (await wallets.withdraw(WALLET, AMOUNT)) ? 'accepted' : 'refused' }) };
  },

  async verify(client, { workers }) {
    const { rows } = await client.query('SELECT balance, (SELECT coalesce(sum(amount), 0)::integer FROM ledger WHERE wallet_id = $1) AS withdrawn FROM wallets WHERE id = $1', [WALLET]);
    const { balance, withdrawn } = rows[0];
    const start = startBalance(workers);
    const holds = balance >= 0 && balance === start - withdrawn;
    return {
      holds,
      invariant: 'balance ≥ 0 and balance = start − withdrawals in the ledger',
      message: holds ? `the balance is ${balance}, ${withdrawn} withdrawn of ${start}` : `the balance went to ${balance}: ${withdrawn} withdrawn from ${start}`,
      quantity: 'balance',
      expected: Math.max(0, start - withdrawn),
      actual: balance,
      figures: { start, withdrawn },
    };
  },
};
