-- Argo CD health of an EtcdCluster (etcdoperator.dev/v1alpha1), read from the conditions the operator reports.
-- EtcdClusterHealthCheckTest runs this script on statuses the operator's own status code computes, for every
-- condition reason it has.
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

-- Degraded reasons that need a person: the operator stopped changing the cluster, or etcd cannot serve as asked.
-- (MembersUnhealthy is left out: during a rollout or a member replacement it is expected and the operator is
-- working on it; it counts only once nothing is in progress.)
local needsAttention = {
  InvalidSpec = true, ApplyRejected = true, RolloutStalled = true, UpgradeSnapshotFailed = true,
  DowngradeBlocked = true, MembershipChangeBlocked = true, RestoreFailed = true, CertificatesNotReady = true,
  QuorumLost = true, EtcdUnreachable = true, NoSpace = true, Corrupt = true, VersionMismatch = true,
}

if obj.status == nil or obj.status.conditions == nil or #obj.status.conditions == 0 then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status"
  return hs
end

local conditions = obj.status.conditions
local ready = find(conditions, "Ready")
local progressing = find(conditions, "Progressing")
local degraded = find(conditions, "Degraded")
local certificates = find(conditions, "CertificatesReady")

-- spec.paused or the etcdoperator.dev/paused annotation: the operator changes nothing, status stays current.
if progressing ~= nil and progressing.reason == "Paused" then
  return say("Suspended", progressing, "Paused")
end
if obj.metadata ~= nil and obj.metadata.generation ~= nil and obj.status.observedGeneration ~= nil
    and obj.status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. obj.metadata.generation
  return hs
end
-- TLSDisabled is the user's choice (spec.tls.mode: Disabled), reported but not a fault.
if certificates ~= nil and certificates.status ~= "True" and certificates.reason ~= "TLSDisabled" then
  return say("Degraded", certificates, "Certificates are not ready")
end
if degraded ~= nil and degraded.status == "True" and needsAttention[degraded.reason] then
  return say("Degraded", degraded, "Degraded")
end
if progressing ~= nil and progressing.status == "False" and progressing.reason ~= "Reconciled" then
  return say("Degraded", progressing, "The operator stopped")
end
if ready ~= nil and ready.status == "True" then
  return say("Healthy", ready, "Ready")
end
if progressing ~= nil and progressing.status == "True" then
  return say("Progressing", progressing, "Progressing")
end
if degraded ~= nil and degraded.status == "True" then
  return say("Degraded", degraded, "Degraded")
end
return say("Progressing", ready, "Waiting for the cluster to be Ready")
