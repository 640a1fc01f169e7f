-- Expires the sale's holds that are due (expiresAt <= the Redis clock), at most ARGV[2] of them,
-- oldest first, from the expiry index: the cost grows with what is due, not with what is held.
-- Run by every pod (see HoldExpiry): a hold is released by whichever call reaches it first, once.
-- KEYS: meta, buyers, purchases, outbox, persisted, holds, expiry   ARGV: channel, max
-- Returns {expired, nextExpiresAtMs (-1: no open hold), serverTimeMs}; {-1, -1, now} for an unknown sale.
local now = now_ms()
local m = load_meta(KEYS[1])
if not m then return {-1, -1, now} end
local K = {buyers = KEYS[2], purchases = KEYS[3], outbox = KEYS[4], persisted = KEYS[5], holds = KEYS[6],
           expiry = KEYS[7]}
local due = redis.call('ZRANGEBYSCORE', KEYS[7], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local expired = 0
for _, pid in ipairs(due) do
  if release(ARGV[1], m, K, pid, 'EXPIRED', now) then
    expired = expired + 1
  else
    -- not HELD any more (cannot happen: every change of status leaves the index); keep the index clean
    redis.call('ZREM', KEYS[7], pid)
  end
end
local nxt = redis.call('ZRANGE', KEYS[7], 0, 0, 'WITHSCORES')
return {expired, nxt[2] and tonumber(nxt[2]) or -1, now}
