{{/*
What the operator does in a namespace it watches, the same rules as deploy/operator/clusterrole.yaml less its two
cluster-scoped reads (deploy/operator-namespaced/watched-role.yaml). Least privilege: the comments there say which
API call of the operator needs each verb; OperatorPermissions (the tests' table) holds the same list.
*/}}
{{- define "etcd-operator.watchedRules" -}}
- apiGroups: ["etcdoperator.dev"]
  resources: ["etcdclusters"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["etcdoperator.dev"]
  resources: ["etcdclusters/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["etcdoperator.dev"]
  resources: ["etcdbackups"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["etcdoperator.dev"]
  resources: ["etcdbackups/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["etcdoperator.dev"]
  resources: ["etcdbackups/finalizers"]
  verbs: ["update"]
- apiGroups: ["etcdoperator.dev"]
  resources: ["etcdclusters/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["services", "configmaps"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: [""]
  resources: ["pods/eviction"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update"]
- apiGroups: ["monitoring.coreos.com"]
  resources: ["podmonitors"]
  verbs: ["get", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* The two cluster-scoped reads the operator needs wherever it runs: its CRDs at start-up, and the namespace of a
     backup being deleted. */}}
{{- define "etcd-operator.clusterReadRules" -}}
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["get"]
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  resourceNames: ["etcdclusters.etcdoperator.dev", "etcdbackups.etcdoperator.dev",
    "podmonitors.monitoring.coreos.com"]
  verbs: ["get"]
{{- end }}
