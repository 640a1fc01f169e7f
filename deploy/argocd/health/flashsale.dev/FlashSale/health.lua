-- Argo CD health of a FlashSale (flashsale.dev/v1alpha1), read from the status its operator writes
-- (docs/operator.md, "Status"). Argo CD sets the global `obj` and expects {status, message}.
--   Progressing  no status yet, a spec generation the operator has not applied yet, or a deletion
--                that waits until PostgreSQL has every purchase (Ready=False AwaitingPersistence)
--   Degraded     Ready=False for any other reason: ChangeRefused, RedisKeysMissing, NameConflict,
--                InvalidSpec, ReconcileFailed
--   Suspended    phase Paused
--   Healthy      phase Upcoming, Active or Ended (whatever the endReason: an ended sale is done)
local hs = {}

local function condition(status, type)
  if status.conditions ~= nil then
    for _, c in ipairs(status.conditions) do
      if c.type == type then
        return c
      end
    end
  end
  return nil
end

local function units(status)
  return tostring(status.remainingStock or 0) .. " of " .. tostring(obj.spec.initialStock or 0) .. " units left"
end

local status = obj.status
if obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  local ready = status ~= nil and condition(status, "Ready") or nil
  if ready ~= nil and ready.reason == "AwaitingPersistence" then
    hs.message = ready.message
  else
    hs.message = "Being deleted"
  end
  return hs
end
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator"
  return hs
end
if status.observedGeneration == nil or status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to apply generation " .. tostring(obj.metadata.generation)
  return hs
end

local ready = condition(status, "Ready")
if ready ~= nil and ready.status == "False" then
  if ready.reason == "AwaitingPersistence" then
    hs.status = "Progressing"
  else
    hs.status = "Degraded"
  end
  hs.message = tostring(ready.reason) .. ": " .. tostring(ready.message)
  return hs
end
if ready == nil or ready.status ~= "True" or status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to apply the sale"
  return hs
end

if status.phase == "Paused" then
  hs.status = "Suspended"
  hs.message = "Paused: " .. units(status)
elseif status.phase == "Ended" then
  hs.status = "Healthy"
  hs.message = "Ended (" .. tostring(status.endReason) .. "): " .. tostring(status.sold or 0) .. " sold, "
      .. tostring(status.persisted or 0) .. " persisted"
elseif status.phase == "Upcoming" then
  hs.status = "Healthy"
  hs.message = "Upcoming: starts at " .. tostring(obj.spec.startTime) .. " with " .. tostring(obj.spec.initialStock) .. " units"
else
  hs.status = "Healthy"
  hs.message = tostring(status.phase) .. ": " .. units(status)
end
return hs
