-- One atomic read of a sale (stock + held + confirmed == initialStock always), recording any due
-- transition.
-- KEYS: meta   ARGV: channel
local m = load_meta(KEYS[1])
if not m then return {} end
local now = now_ms()
local state, reason = refresh(ARGV[1], m, now)
return {m.id, m.sku, m.productName, state, reason, m.initialStock, m.stock, m.perUserLimit,
        m.startTime, m.endTime, now, m.eventId, m.persisted, m.incarnation, m.held, m.holdFor}
