/**
 * The Lua scripts that make seats in Redis atomic. Redis runs a script to completion before any
 * other command, so "count the members, then add one" cannot interleave with another process's
 * join: that is the whole reason capacity holds across processes.
 *
 * Keys (prefix P, default `workbench:`):
 *   P room:<room>   hash memberId → "seq|role|polite|node|secret"
 *   P seq           counter giving seats their join order
 *   P seats:<node>  set of "<room> <memberId>" a process holds, so its seats can be found when it dies
 *   P node:<node>   "1" with an expiry the process keeps refreshing: its heartbeat
 *   P nodes         set of process ids that ever held seats, for the reaper to check
 *   P epoch         a random value set once per Redis lifetime: gone means Redis lost its data
 *   P restoring     present (with an expiry) right after such a loss, while processes put seats back
 *
 * Scripts that touch a dead process's keys build their names from the prefix, so they need a
 * single Redis. On a Redis Cluster (`--redis-cluster`) a script may only touch keys of one hash
 * slot, so there the key names and scripts differ: see the CLUSTER_ scripts at the end.
 */

const PRELUDE = `
local function split(v)
  local seq, role, polite, node, secret = string.match(v, '^(%d+)|(%a+)|([01])|([^|]*)|(.*)$')
  return tonumber(seq), role, polite, node, secret
end
local function members(roomKey, except)
  local entries = redis.call('HGETALL', roomKey)
  local list = {}
  for i = 1, #entries, 2 do
    if entries[i] ~= except then
      local seq, role, polite = split(entries[i + 1])
      list[#list + 1] = { id = entries[i], seq = seq or 0, polite = polite }
    end
  end
  table.sort(list, function(a, b) return a.seq < b.seq end)
  return list
end
local function nextSeq(list)
  local top = 0
  for _, m in ipairs(list) do if m.seq > top then top = m.seq end end
  return top + 1
end
local function ids(list)
  local out = {}
  for i, m in ipairs(list) do out[i] = m.id end
  return out
end
`;

/**
 * The join itself, for both kinds of Redis (see JOIN_SCRIPT and CLUSTER_JOIN_SCRIPT): they differ
 * only in how the restoring flag is read, where the join order comes from, and whether the seat is
 * also written to its process's set in the same script.
 */
function joinScript(parts: { restoring: string; nextSeq: string; recordSeat: string }): string {
  return `${PRELUDE}
local existing = redis.call('HGET', KEYS[1], ARGV[1])
local others = members(KEYS[1], ARGV[1])
if existing then
  local seq, role, polite, node, secret = split(existing)
  if secret ~= ARGV[6] and node == ARGV[3] then
    redis.call('HSET', KEYS[1], ARGV[1], seq .. '|' .. role .. '|' .. polite .. '|' .. node .. '|' .. ARGV[4])
    local filled = '0'
    if #others + 1 == tonumber(ARGV[2]) then filled = '1' end
    return { 'adopted', role, polite, ARGV[4], ids(others), filled }
  end
  return { 'repeated', role, polite, secret, ids(others), '0' }
end
local capacity = tonumber(ARGV[2])
if #others >= capacity then
  return { 'full', '', '', '', ids(others), '0' }
end
if ${parts.restoring} then
  return { 'restoring', '', '', '', ids(others), '0' }
end
local polite = '0'
for _, m in ipairs(others) do
  if m.polite == '0' then polite = '1' end
end
local role = 'joined'
if #others == 0 then role = 'created' end
local seq = ${parts.nextSeq}
redis.call('HSET', KEYS[1], ARGV[1], seq .. '|' .. role .. '|' .. polite .. '|' .. ARGV[3] .. '|' .. ARGV[4])
${parts.recordSeat}
local filled = '0'
if #others + 1 == capacity then filled = '1' end
return { 'ok', role, polite, ARGV[4], ids(others), filled }
`;
}

/**
 * KEYS: room, seq, seats(node), restoring. ARGV: memberId, capacity, node, secret, roomName, knownSecret.
 * Returns {status, role, polite, secret, peers, filled}; status is ok | repeated | adopted | full | restoring.
 * The newcomer is polite when some member is impolite, as in RoomRegistry.
 *
 * `secret` is this attempt's token and `knownSecret` the one the calling process already admitted
 * the member with ('' for none). A seat found with another token was left by an earlier attempt
 * whose caller gave up (it timed out during a Redis stall) and whose late undo may be on its way:
 * the seat is taken over with this attempt's token ('adopted': for the room it is a new member), so
 * that undo (which names its own token) cannot free the seat of a member this attempt admits.
 *
 * While `restoring` exists (Redis just lost its data) no new seat is given: the seats of members
 * already in rooms are being written back by their processes, and a newcomer must not take them.
 */
export const JOIN_SCRIPT = joinScript({
  restoring: "redis.call('EXISTS', KEYS[4]) == 1",
  nextSeq: "redis.call('INCR', KEYS[2])",
  recordSeat: "redis.call('SADD', KEYS[3], ARGV[5] .. ' ' .. ARGV[1])",
});

/**
 * KEYS: room, seats(node). ARGV: memberId, node, roomName, secret.
 * Frees the seat only while `node` still holds it (a claim may have moved it) and, when `secret` is
 * not '', only while the seat carries that token (a late join's undo frees its own seat, never one a
 * later attempt took over). Returns {0} or {1, remaining}.
 */
export const LEAVE_SCRIPT = `${PRELUDE}
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing then return { 0 } end
local _, _, _, node, secret = split(existing)
if node ~= ARGV[2] then return { 0 } end
if ARGV[4] ~= '' and secret ~= ARGV[4] then return { 0 } end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[3] .. ' ' .. ARGV[1])
return { 1, ids(members(KEYS[1], ARGV[1])) }
`;

/**
 * KEYS: room, seats(node). ARGV: memberId, node, secret, roomName, prefix.
 * Moves the seat to `node` when the secret matches. Returns {0} or {1, role, polite, previousNode, peers}.
 */
export const CLAIM_SCRIPT = `${PRELUDE}
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing then return { 0 } end
local seq, role, polite, node, secret = split(existing)
if secret ~= ARGV[3] then return { 0 } end
if node ~= ARGV[2] then
  redis.call('SREM', ARGV[5] .. 'seats:' .. node, ARGV[4] .. ' ' .. ARGV[1])
  redis.call('SADD', KEYS[2], ARGV[4] .. ' ' .. ARGV[1])
  redis.call('HSET', KEYS[1], ARGV[1], seq .. '|' .. role .. '|' .. polite .. '|' .. ARGV[2] .. '|' .. secret)
end
return { 1, role, polite, node, ids(members(KEYS[1], ARGV[1])) }
`;

/**
 * KEYS: node, nodes. ARGV: ttlMs, node. Refreshes the heartbeat; returns 1 when it was still there,
 * 0 when it had gone (first beat, an expiry after a stall, or a Redis that restarted empty).
 */
export const HEARTBEAT_SCRIPT = `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return existed
`;

/**
 * KEYS: nodes. ARGV: prefix. Frees every seat of every process whose heartbeat expired and
 * returns them flat: {room1, member1, room2, member2, …}. Runs atomically, so when several live
 * processes reap at once exactly one of them gets each seat and sends its 'bye'.
 */
export const REAP_SCRIPT = `${PRELUDE}
local freed = {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'node:' .. node) == 0 then
    local seatsKey = ARGV[1] .. 'seats:' .. node
    for _, seat in ipairs(redis.call('SMEMBERS', seatsKey)) do
      local room, member = string.match(seat, '^(%S+) (%S+)$')
      if room then
        local roomKey = ARGV[1] .. 'room:' .. room
        local value = redis.call('HGET', roomKey, member)
        if value then
          local _, _, _, owner = split(value)
          if owner == node then
            redis.call('HDEL', roomKey, member)
            freed[#freed + 1] = room
            freed[#freed + 1] = member
          end
        end
      end
    end
    redis.call('DEL', seatsKey)
    redis.call('SREM', KEYS[1], node)
  end
end
return freed
`;

/**
 * KEYS: seats(node), seq. ARGV: node, capacity, prefix, then groups of (room, member, role,
 * polite, secret), oldest first. Puts this process's seats back after Redis lost them. Returns
 * flat triples {room, member, why}: why is 'full' when the room filled up meanwhile, 'moved' when
 * another process holds the seat now (its client resumed there).
 */
export const RESTORE_SCRIPT = `${PRELUDE}
local lost = {}
local capacity = tonumber(ARGV[2])
for i = 4, #ARGV, 5 do
  local room, member, role, polite, secret = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local roomKey = ARGV[3] .. 'room:' .. room
  local value = redis.call('HGET', roomKey, member)
  if value then
    local _, _, _, owner = split(value)
    if owner ~= ARGV[1] then
      lost[#lost + 1] = room
      lost[#lost + 1] = member
      lost[#lost + 1] = 'moved'
    else
      redis.call('SADD', KEYS[1], room .. ' ' .. member)
    end
  elseif redis.call('HLEN', roomKey) >= capacity then
    lost[#lost + 1] = room
    lost[#lost + 1] = member
    lost[#lost + 1] = 'full'
  else
    local seq = redis.call('INCR', KEYS[2])
    redis.call('HSET', roomKey, member, seq .. '|' .. role .. '|' .. polite .. '|' .. ARGV[1] .. '|' .. secret)
    redis.call('SADD', KEYS[1], room .. ' ' .. member)
  end
end
return lost
`;

/**
 * KEYS: epoch, restoring. ARGV: lastEpoch (the epoch this process saw before, '' if none),
 * newEpoch, windowMs. Run by each process whenever it (re)connects. Returns the epoch now in Redis.
 * No epoch, when this process had seen one, means Redis lost its data (a restart without
 * persistence, a flush): the first process to notice opens the restore window, during which
 * JOIN_SCRIPT gives no new seats, so every live process can put its members' seats back first.
 */
export const EPOCH_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[1] ~= '' then redis.call('SET', KEYS[2], '1', 'PX', ARGV[3]) end
return ARGV[2]
`;

/**
 * KEYS: room. ARGV: senderNode, channel, message, probePrefix, deadline (ms on Redis's clock, 0 for
 * none), receiptId, then the ids of the sender's peers that are not clients of its process.
 * Publishes a relay (the socket.io adapter's `channel` and `message`, unchanged) only if it can
 * reach them: each peer still has a seat, and the process holding that seat is subscribed, which
 * the PUBLISH to its probe channel proves (each process subscribes to `probePrefix .. node` on the
 * same connection, and with the same command on a resubscribe, as the adapter's relay pattern).
 *
 * A seat on the sender's own process belongs to a client that is not connected there: it dropped
 * and may resume, or it is resuming right now (its claim moved the seat here a moment before its
 * socket joined the room). The relay would reach nobody, so it is refused ('away'), not published
 * and acknowledged. (It used to be published "as on one process"; the failover test in
 * packages/cluster caught acknowledged messages lost in that resume window.)
 *
 * After the relay, each peer's process is asked for a receipt on its probe channel
 * ('r <senderNode> <receiptId> <peerId>[,<peerId>…]', the peers whose seats it holds). It arrives
 * on the same subscriber connection right behind the relay, so when that process answers, it has
 * handed the relay to its clients' connections, or says which of those peers has no connection
 * there (dropped, its seat held for a reconnect); the sender's ack waits for every answer. Without it a relay was acknowledged once Redis had passed it
 * on, and a process killed (SIGKILL, OOM) before reading it lost messages already acknowledged.
 * Past the deadline nothing is published: the sender was already told the relay may not have
 * arrived, and a signaling message seconds late (after a stall, or resent by ioredis to a restarted
 * Redis) is worse than one refused.
 * Returns {'ok', {peersNodes…}}, {'late', msPastDeadline}, {'missing', memberId},
 * {'away', memberId} or {'deaf', memberId}.
 */
function relayScript(publish: 'PUBLISH' | 'SPUBLISH'): string {
  return `${PRELUDE}
local deadline = tonumber(ARGV[5])
if deadline > 0 then
  local now = redis.call('TIME')
  local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  if ms > deadline then return { 'late', ms - deadline } end
end
local members = {}
local nodes = {}
for i = 7, #ARGV do
  local seat = redis.call('HGET', KEYS[1], ARGV[i])
  if not seat then return { 'missing', ARGV[i] } end
  local _, _, _, node = split(seat)
  if not node then return { 'missing', ARGV[i] } end
  if node == ARGV[1] then return { 'away', ARGV[i] } end
  if members[node] then
    members[node] = members[node] .. ',' .. ARGV[i]
  else
    if redis.call('${publish}', ARGV[4] .. node, '') == 0 then return { 'deaf', ARGV[i] } end
    members[node] = ARGV[i]
    nodes[#nodes + 1] = node
  end
end
redis.call('${publish}', ARGV[2], ARGV[3])
for _, node in ipairs(nodes) do
  redis.call('${publish}', ARGV[4] .. node, 'r ' .. ARGV[1] .. ' ' .. ARGV[6] .. ' ' .. members[node])
end
return { 'ok', nodes }
`;
}

export const RELAY_SCRIPT = relayScript('PUBLISH');

/** RELAY_SCRIPT for Redis Cluster: the same checks, over sharded pub/sub (SPUBLISH, Redis 7). */
export const CLUSTER_RELAY_SCRIPT = relayScript('SPUBLISH');

/*
 * Redis Cluster (`--redis-cluster`). Keys (prefix P):
 *   P{room:<room>}             the room's hash, as `P room:<room>` above
 *   P{registry}seats:<node>    as `P seats:<node>`: which seats a process holds
 *   P{registry}node:<node>, P{registry}nodes, P{registry}epoch, P{registry}restoring: as above
 * Everything about one room hashes to the slot of `room:<room>` (the part in braces; the adapter's
 * room channel `…#/#{room:<room>}#` and the relay probe channels `P{room:<room>}relay-probe:<node>`
 * too), and every process-wide key to the slot of `registry`. A script touches one of the two only.
 *
 * What a single Redis did in one script is therefore two steps, ordered so that a process dying
 * (or Redis failing) between them leaves nothing wrong that the reaper does not fix:
 * - a seat is added to its process's `seats` set BEFORE the room script gives it (join, claim,
 *   restore) and removed only AFTER the room script took it away (leave, claim elsewhere, reap):
 *   the set may name seats a process no longer holds, never miss one it holds, and the reaper
 *   frees a seat only while its room still says that process owns it;
 * - join order comes from the room itself (one more than its highest), not from a global counter:
 *   only the order within a room was ever used;
 * - the `restoring` flag is read before the join script and passed in: a join racing the moment a
 *   master lost its data may slip past it, which a single Redis ruled out;
 * - a reap is no longer atomic: a process that stalled past its TTL and writes its seats back
 *   while another process is reaping it may see one freed again (its peer then hears 'bye'); on
 *   one Redis the reap either happened before the write-back or not at all.
 */

/**
 * KEYS: room. ARGV: memberId, capacity, node, secret, roomName (unused), knownSecret, restoring ('1'/'0').
 * JOIN_SCRIPT for Redis Cluster, with the same replies.
 */
export const CLUSTER_JOIN_SCRIPT = joinScript({ restoring: "ARGV[7] == '1'", nextSeq: 'nextSeq(others)', recordSeat: '' });

/**
 * KEYS: room. ARGV: memberId, node, secret. LEAVE_SCRIPT for Redis Cluster. Returns {1, remaining}
 * when it freed the seat, {0} when `node` does not hold it (gone, or moved), {2} when `node` holds
 * it with another token (a later attempt's): then the seat stays in the process's `seats` set.
 */
export const CLUSTER_LEAVE_SCRIPT = `${PRELUDE}
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing then return { 0 } end
local _, _, _, node, secret = split(existing)
if node ~= ARGV[2] then return { 0 } end
if ARGV[3] ~= '' and secret ~= ARGV[3] then return { 2 } end
redis.call('HDEL', KEYS[1], ARGV[1])
return { 1, ids(members(KEYS[1], ARGV[1])) }
`;

/** KEYS: room. ARGV: memberId, node, secret. CLAIM_SCRIPT for Redis Cluster, with the same replies. */
export const CLUSTER_CLAIM_SCRIPT = `${PRELUDE}
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing then return { 0 } end
local seq, role, polite, node, secret = split(existing)
if secret ~= ARGV[3] then return { 0 } end
if node ~= ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], seq .. '|' .. role .. '|' .. polite .. '|' .. ARGV[2] .. '|' .. secret)
end
return { 1, role, polite, node, ids(members(KEYS[1], ARGV[1])) }
`;

/**
 * KEYS: nodes. ARGV: registry prefix (`P{registry}`). The first half of REAP_SCRIPT: the processes
 * whose heartbeat expired, each with the seats its set names: {node, count, seat…, node, …}.
 */
export const CLUSTER_REAP_FIND_SCRIPT = `
local found = {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'node:' .. node) == 0 then
    local seats = redis.call('SMEMBERS', ARGV[1] .. 'seats:' .. node)
    found[#found + 1] = node
    found[#found + 1] = #seats
    for _, seat in ipairs(seats) do found[#found + 1] = seat end
  end
end
return found
`;

/**
 * KEYS: room. ARGV: memberId, node. Frees the seat while `node` still owns it; 1 if it did. Atomic
 * per room, so when several processes reap the same dead one, exactly one frees each seat (and
 * sends its 'bye').
 */
export const CLUSTER_FREE_SCRIPT = `${PRELUDE}
local value = redis.call('HGET', KEYS[1], ARGV[1])
if not value then return 0 end
local _, _, _, owner = split(value)
if owner ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
`;

/**
 * KEYS: nodes. ARGV: registry prefix, node, then the seats that were freed or found gone. The second
 * half of REAP_SCRIPT: drops them from the dead process's set, and the process from `nodes` once
 * its set is empty. Nothing if its heartbeat is back meanwhile (it only stalled; it restores).
 */
export const CLUSTER_REAP_DONE_SCRIPT = `
local seatsKey = ARGV[1] .. 'seats:' .. ARGV[2]
if redis.call('EXISTS', ARGV[1] .. 'node:' .. ARGV[2]) == 1 then return 0 end
for i = 3, #ARGV do redis.call('SREM', seatsKey, ARGV[i]) end
if redis.call('SCARD', seatsKey) == 0 then redis.call('SREM', KEYS[1], ARGV[2]) end
return 1
`;

/**
 * KEYS: room. ARGV: node, capacity, member, role, polite, secret. RESTORE_SCRIPT for one seat on
 * Redis Cluster: 'ok' (written back, or still there), 'moved' or 'full', as there.
 */
export const CLUSTER_RESTORE_SCRIPT = `${PRELUDE}
local value = redis.call('HGET', KEYS[1], ARGV[3])
if value then
  local _, _, _, owner = split(value)
  if owner ~= ARGV[1] then return 'moved' end
  return 'ok'
end
local others = members(KEYS[1], ARGV[3])
if #others >= tonumber(ARGV[2]) then return 'full' end
redis.call('HSET', KEYS[1], ARGV[3], nextSeq(others) .. '|' .. ARGV[4] .. '|' .. ARGV[5] .. '|' .. ARGV[1] .. '|' .. ARGV[6])
return 'ok'
`;
