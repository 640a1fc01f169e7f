-- Appends purchases again to the outbox (reconciliation found them missing in PostgreSQL, or
-- stored there with an older status): a purchase of a sale with checkout comes as its HELD event
-- and, when it has moved on, its current status. Safe to repeat: the consumer stores each
-- purchase and each ledger event at most once.
-- KEYS: meta, purchases, outbox, holds   ARGV: purchaseId...
local n = 0
for i = 1, #ARGV do
  local pid = ARGV[i]
  local rec = redis.call('HGET', KEYS[2], pid)
  if rec then
    local h = redis.call('HGET', KEYS[4], pid)
    if h then
      local hold = parse_hold(h)
      local _, ts = parse_record(rec)
      append_ledger(KEYS[3], pid, rec, 'HELD', ts, hold.expiresAt, '')
      if hold.status ~= 'HELD' then
        append_ledger(KEYS[3], pid, rec, hold.status, hold.at, hold.expiresAt, hold.payment)
      end
    else
      local qty, ts, user = parse_record(rec)
      append_outbox(KEYS[3], pid, qty, ts, user)
    end
    n = n + 1
  end
end
return n
