# wait_crds_established ARGS...: `kubectl wait --for=condition=Established` on ARGS (crd/NAME
# ..., or crd --all), retried for up to 60 s. A CRD created a moment ago has no conditions yet,
# and kubectl wait then fails at once ("status.conditions accessor error") instead of waiting.
wait_crds_established() {
  local deadline=$((SECONDS + 60))
  until kubectl wait --for=condition=Established --timeout=10s "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      kubectl wait --for=condition=Established --timeout=1s "$@"  # prints why
      return 1
    fi
    sleep 1
  done
}
