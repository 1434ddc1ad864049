// Any HTTP endpoint of an app that already runs, raced from the command line, the verdict from
// one SQL query on the app's database (--db; name its tables with their schema):
//   node dist/rig.js --scenario ./examples/http-endpoint.js --db postgres://… --workers 50 --increments 1 \
//     --param url=http://127.0.0.1:3000 --param method=POST --param path=/wallets/1/withdraw \
//     --param body='{"amount":10}' --param verify="SELECT balance >= 0 AS holds, balance AS actual FROM public.wallets WHERE id = 1"
// `verify` returns one row: `holds` (boolean) and optionally `actual` and `expected` (numbers).
// The app's own data is not reset: set it up yourself before each run.

function required(params, name) {
  const value = params[name];
  if (value === undefined || value === '') throw new Error(`--param ${name}=… is required (see examples/http-endpoint.js)`);
  return value;
}

export default {
  name: 'http-endpoint',
  summary: 'Races --param method/path/body at the app at --param url; judged by the SQL in --param verify.',
  unit: { one: 'request', many: 'requests' },
  modes: [{ name: 'as-is', summary: 'the endpoint as it runs; --expect race or correct says what you expect of it', outcome: 'correct', retries: false }],
  setup() {},
  app: ({ params }) => ({ url: required(params, 'url') }),
  http: {
    request: ({ params }) => ({
      method: params.method ?? 'POST',
      path: params.path ?? '/',
      ...(params.body === undefined ? {} : { body: params.body, headers: { 'content-type': params['content-type'] ?? 'application/json' } }),
    }),
  },
  async verify(client, { params, outcomes }) {
    const { rows } = await client.query(required(params, 'verify'));
    const row = rows[0] ?? {};
    const holds = row.holds === true;
    const actual = Number(row.actual ?? (holds ? 1 : 0));
    const answers = Object.entries(outcomes).map(([outcome, count]) => `${count} × ${outcome}`).join(', ');
    return {
      holds,
      invariant: params.verify,
      message: `${holds ? 'holds' : 'broke'}: ${JSON.stringify(row)} after ${answers || 'no answers'}`,
      quantity: 'verify',
      expected: Number(row.expected ?? actual),
      actual,
    };
  },
};
