-- A shopper's own purchase in a sale (GET .../purchases/me): the latest one, its persisted flag,
-- the shopper's units in all, and its hold record ('' without checkout).
-- KEYS: meta, buyers, purchases, persisted, holds   ARGV: userId
if redis.call('EXISTS', KEYS[1]) == 0 then return {'SALE_NOT_FOUND'} end
local total, pid = buyer_of(KEYS[2], ARGV[1])
if not pid then return {'PURCHASE_NOT_FOUND'} end
return {'FOUND', pid, redis.call('HGET', KEYS[3], pid), redis.call('SISMEMBER', KEYS[4], pid), total,
        redis.call('HGET', KEYS[5], pid) or ''}
