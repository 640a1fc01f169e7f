// SSE crowd: N browsers subscribe to one sale; when all hold their `initial`, the last units are
// bought, and we measure when each subscriber receives the final state-change.
// Usage: node sse-crowd.mjs BASE_URL SALE_ID SUBSCRIBERS UNITS
import http from 'node:http';

const [base, saleId, countArg, unitsArg] = process.argv.slice(2);
const count = Number(countArg ?? 10000);
const units = Number(unitsArg ?? 3);
const url = new URL(`/api/v1/sales/${saleId}/events`, base);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

let connected = 0;
const endedAt = [];
const sockets = [];
let allConnected;
const ready = new Promise((resolve) => { allConnected = resolve; });

function subscribe(i) {
  const req = http.get(url, { agent, headers: { Accept: 'text/event-stream' } }, (res) => {
    let buffer = '';
    let seenInitial = false;
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      buffer += chunk;
      if (!seenInitial && buffer.includes('event:initial')) {
        seenInitial = true;
        if (++connected === count) allConnected();
      }
      if (buffer.includes('event:state-change') && endedAt[i] === undefined) {
        endedAt[i] = performance.now();
        res.destroy();
      }
      if (buffer.length > 8192) buffer = buffer.slice(-4096);
    });
  });
  req.on('error', (e) => { console.error(`subscriber ${i}: ${e.message}`); });
  sockets.push(req);
}

// open the connections in waves so the listen backlog is not overrun
for (let i = 0; i < count; i++) {
  subscribe(i);
  if (i % 500 === 499) await new Promise((r) => setTimeout(r, 50));
}
const timeout = setTimeout(() => { console.error(`only ${connected}/${count} connected`); process.exit(1); }, 120000);
await ready;
clearTimeout(timeout);

let lastSale = 0;
for (let u = 0; u < units; u++) {
  // measured from the moment the last purchase is sent: its decision comes later, so the figure is
  // an upper bound (awaiting the answer first would let this busy client see the event before it)
  lastSale = performance.now();
  const res = await fetch(new URL(`/api/v1/sales/${saleId}/purchases`, base), { method: 'POST', headers: { 'X-User-Id': `crowd-buyer-${u}` } });
  if (res.status !== 201) { console.error(`purchase ${u}: ${res.status}`); process.exit(1); }
}
const deadline = Date.now() + 30000;
while (endedAt.filter((t) => t !== undefined).length < count && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 20));
}
const delays = endedAt.filter((t) => t !== undefined).map((t) => t - lastSale).sort((a, b) => a - b);
const pct = (p) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))];
console.log(`RESULT subscribers=${count} received=${delays.length} p50_ms=${pct(0.5).toFixed(0)} p99_ms=${pct(0.99).toFixed(0)} max_ms=${delays[delays.length - 1].toFixed(0)}`);
for (const s of sockets) s.destroy();
agent.destroy();
process.exit(delays.length === count ? 0 : 1);
