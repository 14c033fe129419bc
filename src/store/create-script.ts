// One atomic step for a new diagnostic: idempotency replay, the running-lock (409), the
// per-account throttle (429), then the record and its indexes. Atomic so two concurrent POSTs
// for one account cannot both pass.

export const CREATE_SCRIPT = `
local idemKey, activeKey, throttleKey, recKey, clientIdx, accountIdx = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local id, json, now, max, win, fp, idemTtl, diagPrefix, activeTtl =
  ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8], ARGV[9]
if fp ~= '' then
  local v = redis.call('GET', idemKey)
  if v then
    local sep = string.find(v, '|', 1, true)
    local prevId = string.sub(v, sep + 1)
    if string.sub(v, 1, sep - 1) == fp and redis.call('EXISTS', diagPrefix .. prevId) == 1 then return {'replay', prevId} end
    if string.sub(v, 1, sep - 1) ~= fp then return {'mismatch', prevId} end
  end
end
local active = redis.call('GET', activeKey)
if active then
  local rec = redis.call('GET', diagPrefix .. active)
  if rec then
    local st = cjson.decode(rec)['status']
    if st == 'queued' or st == 'running' then return {'conflict', active} end
  end
end
if max > 0 then
  redis.call('ZREMRANGEBYSCORE', throttleKey, '-inf', now - win)
  if redis.call('ZCARD', throttleKey) >= max then
    local oldest = redis.call('ZRANGE', throttleKey, 0, 0, 'WITHSCORES')
    return {'throttled', tostring(tonumber(oldest[2]) + win - now)}
  end
  redis.call('ZADD', throttleKey, now, id)
  redis.call('PEXPIRE', throttleKey, win)
end
redis.call('SET', recKey, json)
redis.call('ZADD', clientIdx, now, id)
redis.call('ZADD', accountIdx, now, id)
redis.call('SET', activeKey, id, 'EX', activeTtl)
if fp ~= '' then redis.call('SET', idemKey, fp .. '|' .. id, 'EX', idemTtl) end
return {'created', id}
`;

/** Compare-and-delete of the running-lock, so a finished run never frees a newer run's lock. */
export const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
