-- One atomic purchase decision; with checkout (holdFor > 0) the purchase is a hold until paid.
-- KEYS: meta, buyers, purchases, outbox, idempotency, persisted, holds, expiry
-- ARGV: channel, userId, qty, idempotencyKey ('' for none)
-- Returns {outcome, serverTimeMs, ...}: see PurchaseResult.fromScript.
local m = load_meta(KEYS[1])
if not m then return {'SALE_NOT_FOUND', 0} end
local now_micros = now_us()
local now = math.floor(now_micros / 1000)
local user, qty, idem = ARGV[2], tonumber(ARGV[3]), ARGV[4]
-- a user id holds no control characters, so a newline separates it from the key unambiguously
local idem_field = user .. '\n' .. idem
if idem ~= '' then
  local pid = redis.call('HGET', KEYS[5], idem_field)
  if pid then
    return {'REPLAY', now, pid, redis.call('HGET', KEYS[3], pid), 0, redis.call('HGET', KEYS[7], pid) or ''}
  end
end
local bought, last = buyer_of(KEYS[2], user)
local state, reason = refresh(ARGV[1], m, now)
-- precedence of the contract: a buyer always learns that they bought, even after a sell-out
if bought >= m.perUserLimit then
  return {'ALREADY_PURCHASED', now, last, redis.call('HGET', KEYS[3], last), redis.call('SISMEMBER', KEYS[6], last),
          redis.call('HGET', KEYS[7], last) or ''}
end
if m.stock <= 0 then return {'SOLD_OUT', now, state} end
if state == 'ENDED' then return {'SALE_ENDED', now, reason} end
if state ~= 'ACTIVE' then return {'SALE_NOT_ACTIVE', now, state} end
if bought + qty > m.perUserLimit then return {'LIMIT_EXCEEDED', now, m.perUserLimit - bought} end
if qty > m.stock then return {'INSUFFICIENT_STOCK', now, m.stock} end

m.stock = redis.call('HINCRBY', KEYS[1], 'stock', -qty)
local pid = next_purchase_id(m, now_micros)
local rec = record_of(qty, now, user)
redis.call('HSET', KEYS[2], user, (bought + qty) .. '|' .. pid)
redis.call('HSET', KEYS[3], pid, rec)
if idem ~= '' then redis.call('HSET', KEYS[5], idem_field, pid) end
local hold = ''
if m.holdFor > 0 then
  local expires = now + m.holdFor
  hold = hold_record('HELD', now, expires, '')
  m.held = redis.call('HINCRBY', KEYS[1], 'held', qty)
  redis.call('HSET', KEYS[7], pid, hold)
  redis.call('ZADD', KEYS[8], expires, pid)
  append_ledger(KEYS[4], pid, rec, 'HELD', now, expires, '')
else
  append_outbox(KEYS[4], pid, qty, now, user)
end
publish_stock(ARGV[1], m)
-- the last unit ends the sale in the same atomic step (with checkout: once no hold is open)
if m.stock == 0 then refresh(ARGV[1], m, now) end
return {'SUCCESS', now, pid, rec, 0, hold}
