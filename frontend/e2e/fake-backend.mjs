// A small in-memory stand-in for sale-api, for checking the SPA and the e2e suite without the
// Java stack. It follows the API contract (envelope, sale view, SSE ids, purchase rules) and
// serves dist/ with the SPA fallback. It is not the backend and no test should depend on it.
//
//   node e2e/fake-backend.mjs [port]          (default 8080)
//   FLASHSALE_SALE_CMD="node e2e/fake-sale-cmd.mjs" FLASHSALE_RESTART_CMD="node e2e/fake-sale-cmd.mjs restart"
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const PERSIST_DELAY_MS = 1500;
const RESTART_DOWN_MS = 3000;

const sales = new Map(); // id -> { meta, sold, eventId, state, endReason, buyers: Map<user, purchase[]>, seq, keys }
const streams = new Map(); // id -> Set<res>

const iso = (ms) => new Date(ms).toISOString();

function computeState(sale, now = Date.now()) {
  if (sale.cancelled) return ['ENDED', 'CANCELLED'];
  if (sale.meta.initialStock - sale.sold <= 0 && now >= sale.meta.start) return ['ENDED', 'SOLD_OUT'];
  if (now >= sale.meta.end) return ['ENDED', 'TIME_EXPIRED'];
  if (now < sale.meta.start) return ['UPCOMING', null];
  return [sale.paused ? 'PAUSED' : 'ACTIVE', null];
}

function view(sale) {
  return {
    id: sale.meta.id,
    sku: sale.meta.sku,
    productName: sale.meta.productName,
    state: sale.state,
    endReason: sale.endReason,
    initialStock: sale.meta.initialStock,
    stock: sale.meta.initialStock - sale.sold,
    sold: sale.sold,
    perUserLimit: sale.meta.perUserLimit,
    startTime: iso(sale.meta.start),
    endTime: iso(sale.meta.end),
    serverTime: iso(Date.now()),
  };
}

function publish(sale, event, data) {
  sale.eventId += 1;
  for (const res of streams.get(sale.meta.id) ?? []) {
    res.write(`id: ${sale.eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}

function refreshState(sale) {
  const [state, endReason] = computeState(sale);
  if (state !== sale.state || endReason !== sale.endReason) {
    sale.state = state;
    sale.endReason = endReason;
    publish(sale, 'state-change', { id: sale.meta.id, state, endReason });
  }
}

setInterval(() => sales.forEach(refreshState), 100).unref();

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
const ok = (res, status, data, headers) => send(res, status, { success: true, data }, headers);
const fail = (res, status, code, message, extra = {}, headers) =>
  send(res, status, { success: false, error: { code, message, ...extra } }, headers);

function userIdOf(req) {
  const raw = req.headers['x-user-id'];
  const value = typeof raw === 'string' ? raw.trim() : '';
  return value.length >= 1 && value.length <= 255 && !/[\u0000-\u001f\u007f]/.test(value) ? value : null;
}

async function body(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function upsert(spec) {
  const existing = sales.get(spec.id);
  const sale = existing ?? { sold: 0, eventId: 0, buyers: new Map(), seq: 0, keys: new Map(), state: null, endReason: null };
  sale.meta = spec;
  sale.cancelled = spec.cancelled ?? false;
  sale.paused = spec.paused ?? false;
  sales.set(spec.id, sale);
  refreshState(sale);
}

async function purchase(req, res, sale) {
  const userId = userIdOf(req);
  if (userId === null) return fail(res, 400, 'VALIDATION_ERROR', 'Invalid request', { fields: { 'X-User-Id': 'must be 1..255 characters without control characters' } });
  let qty = 1;
  const text = await body(req);
  if (text.trim() !== '') {
    try {
      qty = JSON.parse(text).qty ?? 1;
    } catch {
      return fail(res, 400, 'VALIDATION_ERROR', 'Malformed JSON', { fields: { body: 'malformed JSON' } });
    }
  }
  if (!Number.isInteger(qty) || qty < 1) return fail(res, 400, 'VALIDATION_ERROR', 'Invalid request', { fields: { qty: 'must be an integer >= 1' } });
  const key = req.headers['idempotency-key'];
  if (key && sale.keys.has(`${userId}\n${key}`)) return ok(res, 201, sale.keys.get(`${userId}\n${key}`));
  refreshState(sale);
  const mine = sale.buyers.get(userId) ?? [];
  const held = mine.reduce((n, p) => n + p.qty, 0);
  const stock = sale.meta.initialStock - sale.sold;
  if (held >= sale.meta.perUserLimit) return fail(res, 409, 'ALREADY_PURCHASED', 'You already bought this', { purchase: mine.at(-1) });
  if (stock <= 0 && Date.now() >= sale.meta.start) return fail(res, 409, 'SOLD_OUT', 'Sold out');
  if (sale.state === 'ENDED') return fail(res, 409, 'SALE_ENDED', 'The sale has ended', { endReason: sale.endReason });
  if (sale.state !== 'ACTIVE') return fail(res, 409, 'SALE_NOT_ACTIVE', 'The sale is not active', { state: sale.state });
  if (held + qty > sale.meta.perUserLimit) return fail(res, 409, 'LIMIT_EXCEEDED', 'Over the per-user limit');
  if (qty > stock) return fail(res, 409, 'INSUFFICIENT_STOCK', 'Not enough stock');
  sale.sold += qty;
  sale.seq += 1;
  const p = {
    purchaseId: `${sale.meta.id}-${String(sale.seq).padStart(6, '0')}`,
    saleId: sale.meta.id,
    userId,
    qty,
    purchasedAt: iso(Date.now()),
    persisted: false,
  };
  mine.push(p);
  sale.buyers.set(userId, mine);
  if (key) sale.keys.set(`${userId}\n${key}`, p);
  setTimeout(() => (p.persisted = true), PERSIST_DELAY_MS).unref();
  publish(sale, 'stock-update', { id: sale.meta.id, stock: sale.meta.initialStock - sale.sold, sold: sale.sold });
  refreshState(sale);
  ok(res, 201, p, { Location: `/api/v1/sales/${sale.meta.id}/purchases/me` });
}

function events(req, res, sale) {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.write(`retry: 1000\nid: ${sale.eventId}\nevent: initial\ndata: ${JSON.stringify(view(sale))}\n\n`);
  const set = streams.get(sale.meta.id) ?? new Set();
  streams.set(sale.meta.id, set);
  set.add(res);
  const heartbeat = setInterval(() => res.write(': hb\n\n'), 15000);
  req.on('close', () => {
    clearInterval(heartbeat);
    set.delete(res);
  });
}

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml' };

async function serveStatic(req, res) {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^([/\\])+/, '');
  for (const file of [join(dist, path), join(dist, 'index.html')]) {
    if (!file.startsWith(dist)) break;
    try {
      const data = await readFile(file);
      res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
      return res.end(data);
    } catch {
      // fall through to index.html: SPA routes
    }
  }
  fail(res, 404, 'NOT_FOUND', 'No such file (run npm run build)');
}

let server;

async function handle(req, res) {
  const url = new URL(req.url, 'http://x');
  const parts = url.pathname.split('/').filter(Boolean);
  if (url.pathname === '/__fake/sales' && req.method === 'POST') {
    const spec = JSON.parse(await body(req));
    upsert(spec);
    return ok(res, 200, view(sales.get(spec.id)));
  }
  if (url.pathname === '/__fake/restart' && req.method === 'POST') {
    ok(res, 200, { downMs: RESTART_DOWN_MS });
    return restart();
  }
  if (parts[0] !== 'api') return serveStatic(req, res);
  if (parts[1] !== 'v1' || parts[2] !== 'sales') return fail(res, 404, 'NOT_FOUND', 'No such route');
  if (parts.length === 3 && req.method === 'GET') {
    sales.forEach(refreshState);
    return ok(res, 200, [...sales.values()].sort((a, b) => a.meta.start - b.meta.start).map(view));
  }
  const sale = sales.get(parts[3]);
  if (!sale) return fail(res, 404, 'SALE_NOT_FOUND', 'Unknown sale');
  refreshState(sale);
  const rest = parts.slice(4).join('/');
  if (rest === '' && req.method === 'GET') return ok(res, 200, view(sale), { 'Cache-Control': 'public, max-age=1' });
  if (rest === 'events' && req.method === 'GET') return events(req, res, sale);
  if (rest === 'purchases' && req.method === 'POST') return purchase(req, res, sale);
  if (rest === 'purchases/me' && req.method === 'GET') {
    const userId = userIdOf(req);
    if (userId === null) return fail(res, 400, 'VALIDATION_ERROR', 'X-User-Id required', { fields: { 'X-User-Id': 'required' } });
    const mine = sale.buyers.get(userId);
    return mine ? ok(res, 200, mine.at(-1)) : fail(res, 404, 'NOT_FOUND', 'No purchase');
  }
  fail(res, 404, 'NOT_FOUND', 'No such route');
}

// Like a pod restart as a browser sees it: streams cut, connections refused, then back.
function restart() {
  for (const set of streams.values()) for (const res of set) res.destroy();
  server.closeAllConnections?.();
  server.close(() => setTimeout(listen, RESTART_DOWN_MS));
}

function listen() {
  server = createServer((req, res) => {
    handle(req, res).catch((e) => fail(res, 500, 'INTERNAL', String(e)));
  });
  server.listen(port, '127.0.0.1', () => console.log(`fake sale-api on http://127.0.0.1:${port}`));
}

listen();
