import Fastify from 'fastify';
import { walletService } from './wallet.js';

/**
 * The wallet's HTTP API: POST /wallets/:id/withdraw with `{ "amount": 10 }` answers 200 when the
 * withdrawal was made and 409 when the balance did not cover it; GET /wallets/:id the balance.
 */
export function buildApp(db, { guarded }) {
  const wallets = walletService(db, { guarded });
  const app = Fastify();
  app.post('/wallets/:id/withdraw', async (request, reply) => {
    const made = await wallets.withdraw(Number(request.params.id), Number(request.body.amount));
    return reply.code(made ? 200 : 409).send({ withdrawn: made });
  });
  app.get('/wallets/:id', async (request) => ({ balance: await wallets.balance(Number(request.params.id)) }));
  return app;
}
