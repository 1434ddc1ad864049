// race-http.js over HTTP/2: the app serves h2c, and every worker's POST is a stream of one
// connection; the final DATA frames are held back and leave together in one write.
//   node dist/rig.js --scenario ./examples/wallet-service/race-http2.js --mode check-then-act --workers 50
import httpScenario, { startWalletApp } from './race-http.js';

export default {
  ...httpScenario,
  name: 'wallet-http2',
  summary: "The example wallet service's POST /wallets/:id/withdraw, raced over one HTTP/2 connection, a stream per worker.",
  app: (context) => startWalletApp(context, { http2: true }),
  http: { ...httpScenario.http, http2: true },
};
