# shellcheck shell=bash
# Credentials of a local cluster: one CA; one certificate that is both the apiserver's serving
# certificate and the admin's client certificate (O=system:masters, as kwokctl does); the
# service-account key pair; a static token file; kubeconfigs for admin, dev and nobody.
# Needs cluster-common.sh.

# Static-token identities: "user groups". dev has no rights until a test binds a role to it;
# nobody never gets any (beyond what every authenticated user has, e.g. discovery).
CSP_TOKEN_USERS=("admin system:masters" "dev dev-team" "nobody")

generate_pki() {
  local pki=$CSP_CLUSTER_DIR/pki
  mkdir -p -m 700 "$pki"
  (
    umask 077
    cd "$pki"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
      -subj "/CN=csp-local-ca" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr \
      -subj "/O=system:masters/CN=kube-admin" 2>/dev/null
    printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
      'extendedKeyUsage=serverAuth,clientAuth' \
      'subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1' \
      >apiserver.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile apiserver.ext -out apiserver.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  ) || die "generating certificates with openssl failed in $pki"
}

# tokens.csv lines: token,user,uid,"group1,group2"
generate_tokens() {
  local f=$CSP_CLUSTER_DIR/tokens.csv entry user groups token
  (umask 077 && : >"$f")
  for entry in "${CSP_TOKEN_USERS[@]}"; do
    read -r user groups <<<"$entry"
    token=$(openssl rand -hex 24) || die "openssl rand failed"
    if [ -n "$groups" ]; then
      printf '%s,%s,uid-%s,"%s"\n' "$token" "$user" "$user" "$groups" >>"$f"
    else
      printf '%s,%s,uid-%s\n' "$token" "$user" "$user" >>"$f"
    fi
  done
}

token_of() { awk -F, -v u="$1" '$2==u {print $1}' "$CSP_CLUSTER_DIR/tokens.csv"; }

b64() { base64 -w0 <"$1"; }

# write_kubeconfig FILE USER AUTH_LINES: credentials are embedded so the file can be copied.
write_kubeconfig() {
  local file=$1 user=$2 auth=$3
  (
    umask 077
    cat >"$file" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: csp-local
  cluster:
    server: https://127.0.0.1:$CSP_API_PORT
    certificate-authority-data: $(b64 "$CSP_CLUSTER_DIR/pki/ca.crt")
users:
- name: $user
  user:
$auth
contexts:
- name: $user@csp-local
  context:
    cluster: csp-local
    user: $user
    namespace: default
current-context: $user@csp-local
KUBECONFIG
  )
}

generate_kubeconfigs() {
  local pki=$CSP_CLUSTER_DIR/pki user
  write_kubeconfig "$(admin_kubeconfig)" admin \
    "    client-certificate-data: $(b64 "$pki/apiserver.crt")
    client-key-data: $(b64 "$pki/apiserver.key")"
  for user in dev nobody; do
    write_kubeconfig "$CSP_CLUSTER_DIR/$user.kubeconfig" "$user" "    token: $(token_of "$user")"
  done
}
