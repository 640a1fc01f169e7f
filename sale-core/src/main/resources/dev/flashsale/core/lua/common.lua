-- Shared by every script: the loader puts this prelude in front of each script body.
-- Conventions: KEYS[1] is always the sale's meta hash; events go to the channel given in ARGV
-- by the caller (SaleKeys.EVENTS_CHANNEL), so that the name lives in one place.

-- The Redis clock in microseconds; every time rule uses milliseconds (now_ms).
local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function now_ms()
  return math.floor(now_us() / 1000)
end

-- A purchase id never repeats, across lives of a sale name and across a Redis that comes back
-- from an older state: its number is max(last + 1, the Redis clock in µs), so it starts above
-- the previous life's (each life starts at its creation instant, its incarnation) and a restored,
-- lower counter continues from the clock, not from where it was restored. Fixed-width base 36
-- (11 digits, enough for millennia) keeps ids short and in decision order.
local ID_DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'
local function base36(n)
  local s = ''
  for _ = 1, 11 do
    local d = n % 36
    s = string.sub(ID_DIGITS, d + 1, d + 1) .. s
    n = (n - d) / 36
  end
  return s
end

local function next_purchase_id(m, now_micros)
  local n = math.max(m.seq + 1, now_micros)
  redis.call('HSET', KEYS[1], 'seq', string.format('%d', n))
  return m.id .. '-' .. base36(n)
end

local META_FIELDS = {'id', 'sku', 'productName', 'initialStock', 'perUserLimit', 'startTime', 'endTime',
                     'paused', 'cancelled', 'stock', 'eventId', 'state', 'endReason', 'persisted', 'seq',
                     'incarnation', 'holdFor', 'held'}

local function load_meta(key)
  local v = redis.call('HMGET', key, unpack(META_FIELDS))
  if not v[1] then return nil end
  return {id = v[1], sku = v[2], productName = v[3], initialStock = tonumber(v[4]),
          perUserLimit = tonumber(v[5]), startTime = tonumber(v[6]), endTime = tonumber(v[7]),
          paused = v[8] == '1', cancelled = v[9] == '1', stock = tonumber(v[10]),
          eventId = tonumber(v[11]), state = v[12] or '', endReason = v[13] or '',
          persisted = tonumber(v[14]) or 0, seq = tonumber(v[15]) or 0,
          incarnation = v[16] or '', holdFor = tonumber(v[17]) or 0, held = tonumber(v[18]) or 0}
end

-- The state rules of a sale, in one place. An end is final: once recorded, its reason sticks,
-- so a sale that sold out stays SOLD_OUT even when its end time passes or it is cancelled later.
-- startTime is inclusive, endTime exclusive, both against the Redis clock.
local function state_at(m, now)
  if m.endReason ~= '' then return 'ENDED', m.endReason end
  if m.cancelled then return 'ENDED', 'CANCELLED' end
  -- open holds may still come back to stock (checkout): sold out, but not over yet
  if m.stock <= 0 and m.held <= 0 then return 'ENDED', 'SOLD_OUT' end
  if now >= m.endTime then return 'ENDED', 'TIME_EXPIRED' end
  if m.paused then return 'PAUSED', '' end
  if now < m.startTime then return 'UPCOMING', '' end
  return 'ACTIVE', ''
end

-- Event wire format: saleId|eventId|kind|a|b (a sale id is a DNS label, a and b are numbers or
-- enum names), parsed by SaleEvent.parse. Every event takes the next per-sale event id.
local function publish(channel, m, kind, a, b)
  m.eventId = redis.call('HINCRBY', KEYS[1], 'eventId', 1)
  redis.call('PUBLISH', channel, m.id .. '|' .. m.eventId .. '|' .. kind .. '|' .. a .. '|' .. b)
end

-- stock|sold, and with checkout a sixth field, held (older readers know only five fields, and
-- only sales with checkout, which they cannot serve anyway, send six)
local function publish_stock(channel, m)
  local sold = m.initialStock - m.stock
  if m.holdFor > 0 then sold = sold .. '|' .. m.held end
  publish(channel, m, 'stock', m.stock, sold)
end

-- Records a state transition once, whoever notices it first (a purchase, a read, a pod's timer,
-- the operator), and announces it.
local function refresh(channel, m, now)
  local state, reason = state_at(m, now)
  if state ~= m.state then
    m.state, m.endReason = state, reason
    redis.call('HSET', KEYS[1], 'state', state, 'endReason', reason)
    publish(channel, m, 'state', state, reason)
  end
  return state, reason
end

-- A purchase record is qty|purchasedAt|userId; the user id goes last because it may hold '|'.
local function record_of(qty, ts, user)
  return qty .. '|' .. ts .. '|' .. user
end

local function parse_record(rec)
  return string.match(rec, '^(%d+)|(%d+)|(.*)$')
end

local function append_outbox(key, pid, qty, ts, user)
  redis.call('XADD', key, '*', 'purchaseId', pid, 'userId', user, 'qty', qty, 'purchasedAt', ts)
end

-- buyers hash: userId -> totalQty|lastPurchaseId
local function buyer_of(key, user)
  local b = redis.call('HGET', key, user)
  if not b then return 0, nil end
  local q, pid = string.match(b, '^(%d+)|(.*)$')
  return tonumber(q), pid
end

-- Checkout. A hold record (holds hash, purchaseId -> record) is status|atMs|expiresAtMs|paymentId:
-- the purchase's status (HELD, CONFIRMED, EXPIRED, CANCELLED), when it took it, when the hold
-- expires(d), and the payment that confirmed it. Purchases of sales without checkout have none
-- (they are CONFIRMED). Open holds are also in the expiry index (sorted set, score expiresAt).
local function hold_record(status, at, expires, payment)
  return status .. '|' .. at .. '|' .. expires .. '|' .. payment
end

local function parse_hold(rec)
  local status, at, expires, payment = string.match(rec, '^(%u+)|(%d+)|(%d+)|(.*)$')
  return {status = status, at = tonumber(at), expiresAt = tonumber(expires), payment = payment}
end

-- A ledger event (one transition of a checkout purchase) through the outbox beside the purchase.
local function append_ledger(key, pid, rec, event, at, expires, payment)
  local qty, ts, user = parse_record(rec)
  redis.call('XADD', key, '*', 'purchaseId', pid, 'userId', user, 'qty', qty, 'purchasedAt', ts,
    'event', event, 'at', at, 'expiresAt', expires, 'paymentId', payment)
end

-- Ends an open hold as EXPIRED or CANCELLED: its units go back to stock and the buyer's allowance,
-- once (a hold that is no longer HELD is left alone). PostgreSQL no longer holds its current
-- status, so its units leave the persisted count until the new status is stored.
-- K: {meta, buyers, purchases, outbox, persisted, holds, expiry}
local function release(channel, m, K, pid, status, now)
  local h = redis.call('HGET', K.holds, pid)
  if not h then return nil end
  local hold = parse_hold(h)
  if hold.status ~= 'HELD' then return nil end
  local rec = redis.call('HGET', K.purchases, pid)
  local qty, _, user = parse_record(rec)
  qty = tonumber(qty)
  redis.call('HSET', K.holds, pid, hold_record(status, now, hold.expiresAt, ''))
  redis.call('ZREM', K.expiry, pid)
  m.stock = redis.call('HINCRBY', KEYS[1], 'stock', qty)
  m.held = redis.call('HINCRBY', KEYS[1], 'held', -qty)
  local bought, last = buyer_of(K.buyers, user)
  redis.call('HSET', K.buyers, user, (bought - qty) .. '|' .. last)
  if redis.call('SREM', K.persisted, pid) == 1 then
    m.persisted = redis.call('HINCRBY', KEYS[1], 'persisted', -qty)
  end
  append_ledger(K.outbox, pid, rec, status, now, hold.expiresAt, '')
  publish_stock(channel, m)
  return rec
end

-- ---- script body follows ----
