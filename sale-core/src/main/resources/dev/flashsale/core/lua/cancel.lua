-- The shopper gives up their latest purchase while it is a hold (DELETE .../purchases/me): its
-- units go back to stock and to the shopper's allowance, once. A hold at or past its expiresAt
-- is expired instead (the expiry won).
-- KEYS: meta, buyers, purchases, outbox, persisted, holds, expiry   ARGV: channel, userId
-- Returns {outcome, serverTimeMs, purchaseId, purchaseRecord, persisted, holdRecord} with outcome
-- CANCELLED | PURCHASE_NOT_HELD, or {PURCHASE_NOT_FOUND | SALE_NOT_FOUND, serverTimeMs}
local now = now_ms()
local m = load_meta(KEYS[1])
if not m then return {'SALE_NOT_FOUND', now} end
local _, pid = buyer_of(KEYS[2], ARGV[2])
if not pid then return {'PURCHASE_NOT_FOUND', now} end
local K = {buyers = KEYS[2], purchases = KEYS[3], outbox = KEYS[4], persisted = KEYS[5], holds = KEYS[6],
           expiry = KEYS[7]}
local outcome = 'PURCHASE_NOT_HELD'
local h = redis.call('HGET', KEYS[6], pid)
if h then
  local hold = parse_hold(h)
  if hold.status == 'HELD' then
    if now >= hold.expiresAt then
      release(ARGV[1], m, K, pid, 'EXPIRED', now)
    else
      release(ARGV[1], m, K, pid, 'CANCELLED', now)
      outcome = 'CANCELLED'
    end
  end
end
return {outcome, now, pid, redis.call('HGET', KEYS[3], pid), redis.call('SISMEMBER', KEYS[5], pid),
        redis.call('HGET', KEYS[6], pid) or ''}
