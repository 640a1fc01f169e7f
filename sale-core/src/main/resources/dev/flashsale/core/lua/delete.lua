-- Removes a sale's hot keys, only once every sold unit is persisted (unless forced).
-- PostgreSQL is never touched: purchase records outlive the sale's keys.
-- KEYS: meta, buyers, purchases, outbox, idempotency, persisted   ARGV: force ('1' | '0')
local m = load_meta(KEYS[1])
if not m then return {'MISSING', 0, 0} end
local sold = m.initialStock - m.stock
if ARGV[1] ~= '1' and m.persisted < sold then return {'NOT_PERSISTED', sold, m.persisted} end
redis.call('DEL', unpack(KEYS))
return {'DELETED', sold, m.persisted}
