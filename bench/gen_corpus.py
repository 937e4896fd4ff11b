#!/usr/bin/env python3
"""Writes the benchmark corpus: N Deployments in one multi-document YAML stream.

Deterministic (fixed seed): the same arguments always produce the same bytes, so figures
measured on different days compare. The defaults give 10,000 Deployments in 100 namespaces
(team-00..team-99), about 13 MB. Every Deployment has an init container, the app container and
a log-shipping sidecar with the fields real manifests carry (labels, resources, env, probes,
volumeMounts), and a realistic mix of violations of the eight controls:

  ~10% privileged app container       ~30% no seccompProfile anywhere
  ~5%  hostPath /var/run/docker.sock  ~20% runs as root (runAsUser: 0 / runAsNonRoot unset)
  ~10% added SYS_ADMIN / NET_ADMIN    ~40% hostPath /var/log (read-only in most)
  ~5%  unconfined AppArmor annotation

Usage: bench/gen_corpus.py [--count N] [--seed S] [--out FILE]   (default: stdout)
"""

import argparse
import random
import sys

REGISTRIES = ["ghcr.io/acme", "registry.example.com/platform", "docker.io/acme", "quay.io/acme"]
TIERS = ["frontend", "backend", "worker", "cache", "batch"]
LOG_LEVELS = ["debug", "info", "warn"]
CPU_REQUESTS = ["50m", "100m", "250m", "500m"]
MEM_REQUESTS = ["64Mi", "128Mi", "256Mi", "512Mi"]


def deployment(i, rng):
    ns = "team-%02d" % (i % 100)
    name = "svc-%05d" % i
    tier = rng.choice(TIERS)
    image = "%s/%s:1.%d.%d" % (rng.choice(REGISTRIES), name, rng.randrange(10), rng.randrange(20))
    if rng.random() < 0.3:
        image += "@sha256:" + "%064x" % rng.getrandbits(256)

    privileged = rng.random() < 0.10
    no_seccomp = rng.random() < 0.30
    docker_sock = rng.random() < 0.05
    root = rng.random() < 0.20
    added_caps = rng.random() < 0.10
    var_log = rng.random() < 0.40
    var_log_writable = var_log and rng.random() < 0.15
    unconfined = rng.random() < 0.05
    port = rng.choice([8080, 8443, 9090, 3000])

    out = []
    w = out.append
    w("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n")
    w("  name: %s\n  namespace: %s\n" % (name, ns))
    w("  labels:\n    app: %s\n    tier: %s\n" % (name, tier))
    w("spec:\n  replicas: %d\n" % rng.choice([1, 2, 3, 5]))
    w("  selector:\n    matchLabels:\n      app: %s\n" % name)
    w("  template:\n    metadata:\n      labels:\n        app: %s\n" % name)
    if unconfined:
        w("      annotations:\n")
        w("        container.apparmor.security.beta.kubernetes.io/app: unconfined\n")
    w("    spec:\n")
    w("      securityContext:\n")
    if root:
        w("        runAsUser: 0\n") if rng.random() < 0.5 else w("        fsGroup: 2000\n")
    else:
        w("        runAsNonRoot: true\n        runAsUser: %d\n" % (10000 + i % 1000))
    if not no_seccomp:
        w("        seccompProfile:\n          type: RuntimeDefault\n")

    w("      initContainers:\n      - name: init-config\n")
    w("        image: busybox:1.36\n")
    w('        command: [cp, -r, /src/., /config]\n')
    w("        volumeMounts:\n        - {name: config, mountPath: /config}\n")

    w("      containers:\n      - name: app\n        image: %s\n" % image)
    w("        env:\n        - {name: LOG_LEVEL, value: %s}\n" % rng.choice(LOG_LEVELS))
    w("        resources:\n          requests: {cpu: %s, memory: %s}\n"
      % (rng.choice(CPU_REQUESTS), rng.choice(MEM_REQUESTS)))
    w("          limits: {memory: 1Gi}\n")
    w("        readinessProbe:\n          httpGet: {path: /healthz, port: %d}\n" % port)
    w("        securityContext:\n")
    if privileged:
        w("          privileged: true\n")
    else:
        w("          allowPrivilegeEscalation: false\n")
    w("          capabilities:\n            drop: [ALL]\n")
    if added_caps:
        w("            add: [%s]\n" % rng.choice(["SYS_ADMIN", "NET_ADMIN", "NET_ADMIN, SYS_TIME"]))
    w("        volumeMounts:\n        - {name: config, mountPath: /etc/app, readOnly: true}\n")
    if docker_sock:
        w("        - {name: docker, mountPath: /var/run/docker.sock}\n")

    w("      - name: log-shipper\n        image: fluent/fluent-bit:2.2.%d\n"
      % rng.randrange(3))
    w("        resources:\n          limits: {cpu: 100m, memory: 64Mi}\n")
    if var_log:
        w("        volumeMounts:\n        - name: varlog\n          mountPath: /var/log\n")
        if not var_log_writable:
            w("          readOnly: true\n")

    w("      volumes:\n      - {name: config, emptyDir: {}}\n")
    if var_log:
        w("      - name: varlog\n        hostPath:\n          path: /var/log\n")
    if docker_sock:
        w("      - name: docker\n        hostPath:\n          path: /var/run/docker.sock\n")
        w("          type: Socket\n")
    return "".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--out", default="-")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    text = "".join(deployment(i, rng) for i in range(args.count))
    data = text.encode("utf-8")
    if args.out == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(args.out, "wb") as f:
            f.write(data)
        print("wrote %s: %d Deployments, %d bytes" % (args.out, args.count, len(data)),
              file=sys.stderr)


if __name__ == "__main__":
    main()
