-- Counts purchases committed in PostgreSQL, each once however often it is reported.
-- KEYS: meta, persisted   ARGV: channel, purchaseId1, qty1, purchaseId2, qty2, ...
-- Returns the sale's persisted units, or -1 when the sale's keys are gone.
local m = load_meta(KEYS[1])
if not m then return -1 end
local added = 0
for i = 2, #ARGV, 2 do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then added = added + tonumber(ARGV[i + 1]) end
end
if added > 0 then
  m.persisted = redis.call('HINCRBY', KEYS[1], 'persisted', added)
  -- not an SSE event: it keeps the current event id, so browsers ignore it; the operator listens
  redis.call('PUBLISH', ARGV[1], m.id .. '|' .. m.eventId .. '|persisted|' .. m.persisted .. '|' .. (m.initialStock - m.stock))
end
return m.persisted
