/**
 * pg decides whether it runs on Cloudflare Workers when it is loaded: unless `navigator.userAgent`
 * answers, it constructs a `Response`, which on Node 20 (no `navigator`) loads undici, HTTP/2 and
 * TLS, about a hundred internal modules, into every worker thread: at 100 workers that was ~0.8 s
 * of set-up and ~250 MB. Node 21 and later define `navigator` themselves. Imported before pg.
 */
const runtime = globalThis as { navigator?: { userAgent: string } };
runtime.navigator ??= { userAgent: `Node.js/${process.versions.node}` };
