// The same POST /wallets/1/withdraw as race-http.js, sent by race-rig's worker threads instead:
// each thread opens its connection before the start barrier and sends the whole request when the
// barrier releases it. This is what last-byte sync is measured against (docs/race-your-application.md).
//   node dist/rig.js --scenario ./examples/wallet-service/race-http-threads.js --mode check-then-act --workers 50
import http from 'node:http';
import httpScenario, { FIRST } from './race-http.js';

function call(agent, appUrl, method, path, body, first = false) {
  const headers = { ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...(first ? { [FIRST]: '1' } : {}) };
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(path, appUrl), { method, agent, headers }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode));
    });
    request.once('error', reject);
    request.end(body);
  });
}

export default {
  ...httpScenario,
  name: 'wallet-http-threads',
  summary: 'POST /wallets/:id/withdraw sent whole by each worker thread when the barrier releases it.',
  http: undefined,
  worker({ appUrl }) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const { path, body: amount } = httpScenario.http.request({ iteration: 1 });
    const body = JSON.stringify(amount);
    return {
      // Opens the keep-alive connection before the barrier, so that the race sends on it.
      warmUp: () => call(agent, appUrl, 'GET', path.replace('/withdraw', '')),
      async attempt(iteration) {
        const status = await call(agent, appUrl, 'POST', path, body, iteration === 0);
        if (status >= 500) throw new Error(`HTTP ${status}`);
        return { outcome: status === 200 ? 'accepted' : 'refused' };
      },
      close: async () => agent.destroy(),
    };
  },
};
