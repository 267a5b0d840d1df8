-- Argo CD health of an EtcdBackup (etcdoperator.dev/v1alpha1): one snapshot, Complete or Failed in the end.
-- EtcdBackupHealthCheckTest runs this script on statuses the operator's own backup code computes.
local hs = {}

local function find(conditions, conditionType)
  for _, condition in ipairs(conditions) do
    if condition.type == conditionType then
      return condition
    end
  end
  return nil
end

local function say(status, condition, fallback)
  hs.status = status
  if condition ~= nil and condition.message ~= nil and condition.message ~= "" then
    hs.message = condition.reason .. ": " .. condition.message
  else
    hs.message = fallback
  end
  return hs
end

if obj.status == nil or obj.status.conditions == nil or #obj.status.conditions == 0 then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to start the backup"
  return hs
end

local failed = find(obj.status.conditions, "Failed")
if failed ~= nil and failed.status == "True" then
  return say("Degraded", failed, "The backup failed")
end
local complete = find(obj.status.conditions, "Complete")
if complete ~= nil and complete.status == "True" then
  local where = obj.status.location or "the bucket"
  hs.status = "Healthy"
  hs.message = "Snapshot complete: " .. where
  return hs
end
return say("Progressing", find(obj.status.conditions, "Progressing"), "The snapshot is being taken")
