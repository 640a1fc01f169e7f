-- Counts purchases committed in PostgreSQL, each once however often it is reported. A member of
-- the persisted set is a purchase that PostgreSQL holds with its current status; the persisted
-- count is the units of the live ones (HELD or CONFIRMED). A report of an older status (a newer
-- one is on its way) counts nothing.
-- KEYS: meta, persisted, holds   ARGV: channel, then purchaseId, qty, event ('' for a purchase
--       without checkout) for each purchase
-- Returns the sale's persisted units, or -1 when the sale's keys are gone.
local m = load_meta(KEYS[1])
if not m then return -1 end
local added = 0
for i = 2, #ARGV, 3 do
  local pid, event = ARGV[i], ARGV[i + 2]
  local status = 'CONFIRMED'
  local h = event ~= '' and redis.call('HGET', KEYS[3], pid)
  if h then status = parse_hold(h).status end
  if (event == '' or event == status) and redis.call('SADD', KEYS[2], pid) == 1
      and (status == 'HELD' or status == 'CONFIRMED') then
    added = added + tonumber(ARGV[i + 1])
  end
end
if added > 0 then
  m.persisted = redis.call('HINCRBY', KEYS[1], 'persisted', added)
  -- not an SSE event: it keeps the current event id, so browsers ignore it; the operator listens
  redis.call('PUBLISH', ARGV[1], m.id .. '|' .. m.eventId .. '|persisted|' .. m.persisted .. '|' .. (m.initialStock - m.stock))
end
return m.persisted
