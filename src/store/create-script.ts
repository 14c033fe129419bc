// One atomic step for a new diagnostic: idempotency replay, the running-lock (409), the client's
// throttle of the account and its cap on active diagnostics (429), the account's lockout budget
// (a start time), then the record and its indexes. Atomic so two concurrent POSTs cannot both pass.
//
// Why two budgets: lockout safety is per account, whoever asks (each diagnostic may cost one failed
// login), but a 429 caused by another client's diagnostics would tell this client that someone
// diagnosed the mailbox. So the 429 (THROTTLED) counts only the client's own diagnostics of the
// account; the budget across clients never refuses: past it, the diagnostic is accepted and its
// start planned for when the account's window has room (at most `maxDelay` ahead; the record's
// internal `notBefore`, which the worker honours). A client only sees a diagnostic that stays
// queued longer, as under load. Only when other clients keep the account's budget full for
// longer than maxDelay ahead does it answer THROTTLED too: lockout safety wins.
//
// First of all it counts the request against the client's request rate (RATE_LIMITED), the same
// fixed window as @fastify/rate-limit's Redis store, so that a POST costs one round trip. Then,
// only when it created the record, BullMQ's own job add runs in the same script (admissionScript):
// record and job are written together or not at all. Every key it names shares the deployment's
// prefix, hence its hash tag under Redis Cluster (one slot).

/** Number of KEYS and ARGV of the create step. */
export const CREATE_KEYS = 9;
export const CREATE_ARGS = 15;

const CREATE_BODY = `
local idemKey, activeKey, throttleKey, recKey, clientIdx, accountIdx = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local acctKey, inflightKey, rateKey = KEYS[7], KEYS[8], KEYS[9]
local id, json, now, max, win, fp, idemTtl, diagPrefix, activeTtl =
  ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local acctMax, maxActive, maxDelay = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])
local rateMax, rateWin = tonumber(ARGV[14]), tonumber(ARGV[15])
-- The client's request rate: every POST counts, whatever it ends in.
local rateCount, rateTtl = 0, 0
if rateMax > 0 then
  rateCount = redis.call('INCR', rateKey)
  if rateCount == 1 then
    redis.call('PEXPIRE', rateKey, rateWin)
    rateTtl = rateWin
  else
    rateTtl = redis.call('PTTL', rateKey)
  end
end
local function out(kind, a, b)
  return {kind, a or '', b or '', tostring(rateCount), tostring(rateTtl)}
end
if rateMax > 0 and rateCount > rateMax then return out('ratelimited') end
if fp ~= '' then
  local v = redis.call('GET', idemKey)
  if v then
    local sep = string.find(v, '|', 1, true)
    local prevFp, prevId = string.sub(v, 1, sep - 1), string.sub(v, sep + 1)
    if prevFp == fp and redis.call('EXISTS', diagPrefix .. prevId) == 1 then return out('replay', prevId) end
    -- The stored fingerprint goes back: it may be this same request under a previous key.
    if prevFp ~= fp then return out('mismatch', prevId, prevFp) end
  end
end
local active = redis.call('GET', activeKey)
if active then
  local rec = redis.call('GET', diagPrefix .. active)
  if rec then
    local st = cjson.decode(rec)['status']
    if st == 'queued' or st == 'running' then return out('conflict', active) end
  end
end
-- This client's diagnostics of this account in the window (throttleKey is per client and account).
if max > 0 then
  redis.call('ZREMRANGEBYSCORE', throttleKey, '-inf', now - win)
  if redis.call('ZCARD', throttleKey) >= max then
    local oldest = redis.call('ZRANGE', throttleKey, 0, 0, 'WITHSCORES')
    return out('throttled', tostring(tonumber(oldest[2]) + win - now))
  end
end
-- The client's queued + running diagnostics; ids whose record ended or expired are pruned lazily.
if maxActive > 0 and redis.call('ZCARD', inflightKey) >= maxActive then
  for _, other in ipairs(redis.call('ZRANGE', inflightKey, 0, -1)) do
    local rec = redis.call('GET', diagPrefix .. other)
    local st = rec and cjson.decode(rec)['status']
    if st ~= 'queued' and st ~= 'running' then redis.call('ZREM', inflightKey, other) end
  end
  if redis.call('ZCARD', inflightKey) >= maxActive then return out('busy') end
end
-- The account's budget, all clients: scores are planned start times, at most acctMax in any window.
local start = now
if acctMax > 0 then
  redis.call('ZREMRANGEBYSCORE', acctKey, '-inf', now - win)
  local n = redis.call('ZCARD', acctKey)
  if n >= acctMax then
    local last = tonumber(redis.call('ZRANGE', acctKey, -1, -1, 'WITHSCORES')[2])
    local nth = tonumber(redis.call('ZRANGE', acctKey, n - acctMax, n - acctMax, 'WITHSCORES')[2])
    start = math.max(now, last, nth + win)
    if start - now > maxDelay then return out('throttled', tostring(start - now - maxDelay)) end
  end
end
if max > 0 then
  redis.call('ZADD', throttleKey, now, id)
  redis.call('PEXPIRE', throttleKey, win)
end
if acctMax > 0 then
  redis.call('ZADD', acctKey, start, id)
  redis.call('PEXPIRE', acctKey, start - now + win)
end
if maxActive > 0 then
  redis.call('ZADD', inflightKey, now, id)
  redis.call('EXPIRE', inflightKey, tonumber(ARGV[10]))
end
-- A later start is part of the record (internal field notBefore, ms): the worker holds the job till then.
if start > now then json = string.sub(json, 1, -2) .. ',"notBefore":' .. string.format('%.0f', start) .. '}' end
-- In flight: the record, and the indexes trimmed of entries no record can outlive, all expire.
local inflightTtl = tonumber(ARGV[10])
redis.call('SET', recKey, json, 'EX', inflightTtl)
for _, idx in ipairs({clientIdx, accountIdx}) do
  redis.call('ZADD', idx, now, id)
  redis.call('ZREMRANGEBYSCORE', idx, '-inf', now - inflightTtl * 1000)
  redis.call('EXPIRE', idx, inflightTtl)
end
redis.call('SET', activeKey, id, 'EX', activeTtl + math.ceil((start - now) / 1000))
if fp ~= '' then redis.call('SET', idemKey, fp .. '|' .. id, 'EX', idemTtl) end
return out('created', id, tostring(start - now))
`;

/**
 * The admission script: the create step, then, only if it created the record, `addJobLua` (BullMQ's
 * script that adds a job, taken as BullMQ defined it on the connection) with the KEYS and ARGV that
 * follow the create step's. Each runs as a function whose KEYS and ARGV are its own part. The
 * reply is the create step's; `unqueued` when BullMQ did not add the job it was asked to.
 */
export function admissionScript(addJobLua: string): string {
  return `
local function addJob(KEYS, ARGV)
${addJobLua}
end
local function create(KEYS, ARGV)
${CREATE_BODY}
end
local ck, ca, bk, ba = {}, {}, {}, {}
for i = 1, ${CREATE_KEYS} do ck[i] = KEYS[i] end
for i = ${CREATE_KEYS + 1}, #KEYS do bk[i - ${CREATE_KEYS}] = KEYS[i] end
for i = 1, ${CREATE_ARGS} do ca[i] = ARGV[i] end
for i = ${CREATE_ARGS + 1}, #ARGV do ba[i - ${CREATE_ARGS}] = ARGV[i] end
local res = create(ck, ca)
if res[1] == 'created' then
  local jobId = addJob(bk, ba)
  if tostring(jobId) ~= res[2] then res[1] = 'unqueued' end
end
return res
`;
}

/**
 * The client's request rate alone, for POSTs refused before the create step (invalid body,
 * policy): the fixed window of @fastify/rate-limit's Redis store. Returns {count, ttl ms}.
 */
export const RATE_COUNT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
local ttl = tonumber(ARGV[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ttl) else ttl = redis.call('PTTL', KEYS[1]) end
return {n, ttl}
`;

/** Compare-and-delete of the running-lock, so a finished run never frees a newer run's lock. */
export const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
