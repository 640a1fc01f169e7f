-- Creates a sale or applies a changed spec. Stock is initialised exactly once, at creation;
-- initialStock and startTime cannot change once the sale has started, sku never, and a
-- cancellation is final. A refused change leaves Redis untouched.
-- KEYS: meta, outbox, registry (SaleKeys.REGISTRY: the sale is listed in the same atomic step)
-- ARGV: channel, relayGroup, create ('1' allowed, '0' the sale must exist), id, sku, productName,
--       initialStock, perUserLimit, startTime, endTime, paused, cancelled, holdFor (ms, 0: no checkout)
-- Returns {CREATED|UPDATED, state, endReason} | {REFUSED, field} | {SALE_NOT_FOUND}
local now_micros = now_us()
local now = math.floor(now_micros / 1000)
local a = {id = ARGV[4], sku = ARGV[5], productName = ARGV[6], initialStock = tonumber(ARGV[7]),
           perUserLimit = tonumber(ARGV[8]), startTime = tonumber(ARGV[9]), endTime = tonumber(ARGV[10]),
           paused = ARGV[11], cancelled = ARGV[12], holdFor = tonumber(ARGV[13])}
local m = load_meta(KEYS[1])
if not m then
  if ARGV[3] ~= '1' then return {'SALE_NOT_FOUND'} end
  redis.call('HSET', KEYS[1], 'id', a.id, 'sku', a.sku, 'productName', a.productName,
    'initialStock', a.initialStock, 'perUserLimit', a.perUserLimit, 'startTime', a.startTime,
    'endTime', a.endTime, 'paused', a.paused, 'cancelled', a.cancelled, 'stock', a.initialStock,
    'seq', string.format('%d', now_micros), 'incarnation', base36(now_micros),
    'eventId', 0, 'state', '', 'endReason', '', 'persisted', 0, 'createdAt', now, 'holdFor', a.holdFor, 'held', 0)
  -- the group may survive from an earlier life of the stream; that is fine
  redis.pcall('XGROUP', 'CREATE', KEYS[2], ARGV[2], '0', 'MKSTREAM')
  redis.call('SADD', KEYS[3], a.id)
  m = load_meta(KEYS[1])
  local state, reason = refresh(ARGV[1], m, now)
  return {'CREATED', state, reason}
end
refresh(ARGV[1], m, now)
if a.sku ~= m.sku then return {'REFUSED', 'sku'} end
local started = now >= m.startTime or m.endReason ~= ''
if started and a.initialStock ~= m.initialStock then return {'REFUSED', 'initialStock'} end
if started and a.startTime ~= m.startTime then return {'REFUSED', 'startTime'} end
if started and a.holdFor ~= m.holdFor then return {'REFUSED', 'checkout.holdFor'} end
if m.cancelled and a.cancelled ~= '1' then return {'REFUSED', 'cancelled'} end
-- before the start nothing can have been sold, so stock follows initialStock exactly
local stock = m.stock + (a.initialStock - m.initialStock)
redis.call('HSET', KEYS[1], 'productName', a.productName, 'initialStock', a.initialStock,
  'perUserLimit', a.perUserLimit, 'startTime', a.startTime, 'endTime', a.endTime,
  'paused', a.paused, 'cancelled', a.cancelled, 'stock', stock, 'holdFor', a.holdFor)
-- what shoppers see of the sale changed: a new event id (so a new ETag) and an event for browsers
if a.productName ~= m.productName or a.initialStock ~= m.initialStock or a.perUserLimit ~= m.perUserLimit
    or a.startTime ~= m.startTime or a.endTime ~= m.endTime or a.holdFor ~= m.holdFor then
  publish(ARGV[1], m, 'spec', '', '')
end
m = load_meta(KEYS[1])
local state, reason = refresh(ARGV[1], m, now)
return {'UPDATED', state, reason}
