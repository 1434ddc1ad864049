import Fastify from 'fastify';
import { walletService } from './wallet.js';

/**
 * The wallet's HTTP API: POST /wallets/:id/withdraw with `{ "amount": 10 }` answers 200 when the
 * withdrawal was made and 409 when the balance did not cover it; GET /wallets/:id the balance.
 * `onBodyComplete(epochMs, request)`, if given, is told when each request's body has been read and parsed
 * (race-rig's HTTP races use it to measure the start spread the server saw). `http2: true` serves
 * HTTP/2 without TLS (h2c, prior knowledge) instead of HTTP/1.1.
 */
export function buildApp(db, { guarded, onBodyComplete, http2 = false }) {
  const wallets = walletService(db, { guarded });
  const app = Fastify({ http2 });
  if (onBodyComplete) {
    app.addHook('preValidation', async (request) => {
      onBodyComplete(performance.timeOrigin + performance.now(), request);
    });
  }
  app.post('/wallets/:id/withdraw', async (request, reply) => {
    const made = await wallets.withdraw(Number(request.params.id), Number(request.body.amount));
    return reply.code(made ? 200 : 409).send({ withdrawn: made });
  });
  app.get('/wallets/:id', async (request) => ({ balance: await wallets.balance(Number(request.params.id)) }));
  return app;
}
