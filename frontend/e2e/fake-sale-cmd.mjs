// The FLASHSALE_SALE_CMD / FLASHSALE_RESTART_CMD stand-ins for fake-backend.mjs:
//   node e2e/fake-sale-cmd.mjs upsert --id x --sku X --product-name "X" --initial-stock 10 \
//        --per-user-limit 1 --start +10s --end +2m [--paused] [--cancelled]
//   node e2e/fake-sale-cmd.mjs restart
const base = process.env.FLASHSALE_URL ?? 'http://127.0.0.1:8080';
const [command, ...args] = process.argv.slice(2);

function when(value) {
  const relative = /^([+-]?\d+)(ms|s|m|h)$/.exec(value);
  if (relative) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[relative[2]];
    return Date.now() + Number(relative[1]) * unit;
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new Error(`bad time: ${value}`);
  return at;
}

async function post(path, payload) {
  const res = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload ?? {}) });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  console.log(await res.text());
}

if (command === 'upsert') {
  const opt = {};
  for (let i = 0; i < args.length; i++) {
    const name = args[i].replace(/^--/, '');
    if (name === 'paused' || name === 'cancelled') opt[name] = true;
    else opt[name] = args[++i];
  }
  await post('/__fake/sales', {
    id: opt.id,
    sku: opt.sku ?? opt.id.toUpperCase(),
    productName: opt['product-name'] ?? opt.id,
    initialStock: Number(opt['initial-stock'] ?? 10),
    perUserLimit: Number(opt['per-user-limit'] ?? 1),
    start: when(opt.start ?? '+0s'),
    end: when(opt.end ?? '+10m'),
    paused: opt.paused ?? false,
    cancelled: opt.cancelled ?? false,
  });
} else if (command === 'restart') {
  await post('/__fake/restart');
  // Like a real restart command, return once the service answers again.
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 200));
    try {
      if ((await fetch(`${base}/api/v1/sales`)).ok) process.exit(0);
    } catch {
      // still down
    }
  }
  throw new Error('fake backend did not come back');
} else {
  console.error('usage: fake-sale-cmd.mjs upsert --id ... | restart');
  process.exit(2);
}
