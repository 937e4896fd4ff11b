# Sourced by hack/operator.sh and hack/agent.sh. write_sa_kubeconfig ACCOUNT FILE writes FILE
# (mode 600): a kubeconfig for the current cluster that authenticates with a 24 h token of the
# ServiceAccount csp-system/ACCOUNT, so the process runs with that account's RBAC, not the admin's.
write_sa_kubeconfig() {
  local account=$1 file=$2 token ca server
  token=$(kubectl create token "$account" -n csp-system --duration 24h)
  ca=$(kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
  server=$(kubectl config view --raw -o jsonpath='{.clusters[0].cluster.server}')
  (
    umask 077
    cat >"$file" <<EOK
apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "$server", certificate-authority-data: "$ca"}}]
users: [{name: $account, user: {token: "$token"}}]
contexts: [{name: $account, context: {cluster: local, user: $account}}]
current-context: $account
EOK
  )
}
