-- Pauses/resumes or cancels a sale. A cancellation is final.
-- KEYS: meta   ARGV: channel, field ('paused' | 'cancelled'), value ('0' | '1')
local m = load_meta(KEYS[1])
if not m then return {'SALE_NOT_FOUND'} end
if ARGV[2] == 'cancelled' and m.cancelled and ARGV[3] ~= '1' then return {'REFUSED', 'cancelled'} end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
m[ARGV[2]] = ARGV[3] == '1'
local state, reason = refresh(ARGV[1], m, now_ms())
return {'UPDATED', state, reason}
