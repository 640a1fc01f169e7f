-- Appends purchases again to the outbox (reconciliation found them missing in PostgreSQL).
-- Safe to repeat: the consumer inserts each purchase at most once.
-- KEYS: meta, purchases, outbox   ARGV: purchaseId...
local n = 0
for i = 1, #ARGV do
  local rec = redis.call('HGET', KEYS[2], ARGV[i])
  if rec then
    local qty, ts, user = parse_record(rec)
    append_outbox(KEYS[3], ARGV[i], qty, ts, user)
    n = n + 1
  end
end
return n
