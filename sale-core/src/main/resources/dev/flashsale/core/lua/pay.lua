-- A payment of a hold, as the payment provider reports it; idempotent by paymentId (the same
-- payment again gets the first answer). A hold still HELD before its expiresAt is confirmed; one
-- at or past expiresAt is expired here and then (whoever runs first wins, once); a payment that
-- confirms nothing is recorded in the ledger for the provider's refund.
-- KEYS: meta, buyers, purchases, outbox, persisted, holds, expiry, payments
-- ARGV: channel, purchaseId, paymentId
-- Returns {outcome, serverTimeMs, purchaseId, purchaseRecord, persisted, holdRecord} with outcome
-- CONFIRMED | HOLD_EXPIRED | ALREADY_PAID, or {PURCHASE_NOT_FOUND, serverTimeMs}
local now = now_ms()
local pid, payment = ARGV[2], ARGV[3]
local m = load_meta(KEYS[1])
if not m then return {'PURCHASE_NOT_FOUND', now} end
local answered = redis.call('HGET', KEYS[8], payment)
if answered then
  local outcome, persisted, first_pid, hold = string.match(answered, '^([%u_]+)|(%d)|([^|]+)|(.*)$')
  return {outcome, now, first_pid, redis.call('HGET', KEYS[3], first_pid), tonumber(persisted), hold}
end
local rec = redis.call('HGET', KEYS[3], pid)
if not rec then return {'PURCHASE_NOT_FOUND', now} end
local K = {buyers = KEYS[2], purchases = KEYS[3], outbox = KEYS[4], persisted = KEYS[5], holds = KEYS[6],
           expiry = KEYS[7]}
local h = redis.call('HGET', KEYS[6], pid)
local hold = h and parse_hold(h)
if hold and hold.status == 'HELD' and now >= hold.expiresAt then
  release(ARGV[1], m, K, pid, 'EXPIRED', now)
  hold = parse_hold(redis.call('HGET', KEYS[6], pid))
end
local outcome
if hold and hold.status == 'HELD' then
  outcome = 'CONFIRMED'
  local qty = tonumber((parse_record(rec)))
  redis.call('HSET', KEYS[6], pid, hold_record('CONFIRMED', now, hold.expiresAt, payment))
  redis.call('ZREM', KEYS[7], pid)
  m.held = redis.call('HINCRBY', KEYS[1], 'held', -qty)
  -- PostgreSQL holds it as HELD: not persisted again until CONFIRMED is stored
  if redis.call('SREM', KEYS[5], pid) == 1 then
    m.persisted = redis.call('HINCRBY', KEYS[1], 'persisted', -qty)
  end
  append_ledger(KEYS[4], pid, rec, 'CONFIRMED', now, hold.expiresAt, payment)
  publish_stock(ARGV[1], m)
  -- the last open hold paid with no stock left ends the sale
  refresh(ARGV[1], m, now)
else
  -- nothing to pay any more: recorded, so that the provider's refund can be matched
  outcome = (not hold or hold.status == 'CONFIRMED') and 'ALREADY_PAID' or 'HOLD_EXPIRED'
  append_ledger(KEYS[4], pid, rec, outcome == 'HOLD_EXPIRED' and 'PAYMENT_AFTER_EXPIRY' or 'DUPLICATE_PAYMENT', now,
    hold and hold.expiresAt or 0, payment)
end
local persisted = redis.call('SISMEMBER', KEYS[5], pid)
local now_hold = redis.call('HGET', KEYS[6], pid) or ''
redis.call('HSET', KEYS[8], payment, outcome .. '|' .. persisted .. '|' .. pid .. '|' .. now_hold)
return {outcome, now, pid, rec, persisted, now_hold}
