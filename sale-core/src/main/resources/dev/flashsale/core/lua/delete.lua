-- Removes a sale's hot keys, only once every sold unit is persisted (unless forced); with
-- checkout, also only once no hold is open and every purchase's current status is persisted.
-- PostgreSQL is never touched: purchase records outlive the sale's keys.
-- The registry entry goes in the same atomic step, so no sale is ever listed without its keys.
-- KEYS: the sale's keys (SaleKeys.all(), meta first), then the registry   ARGV: force ('1' | '0'), saleId
local registry = KEYS[#KEYS]
local m = load_meta(KEYS[1])
if not m then
  redis.call('SREM', registry, ARGV[2])
  return {'SALE_NOT_FOUND', 0, 0}
end
local sold = m.initialStock - m.stock
if ARGV[1] ~= '1' and (m.persisted < sold or m.held > 0 or (m.holdFor > 0
    and redis.call('SCARD', KEYS[6]) < redis.call('HLEN', KEYS[3]))) then
  return {'NOT_PERSISTED', sold, m.persisted}
end
redis.call('DEL', unpack(KEYS, 1, #KEYS - 1))
redis.call('SREM', registry, ARGV[2])
return {'DELETED', sold, m.persisted}
