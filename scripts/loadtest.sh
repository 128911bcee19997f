#!/usr/bin/env bash
# Load test of `rampart serve` with oha (https://github.com/hatoo/oha; `cargo install oha`):
# the 19 per-control Pod Security policies plus the seed examples, AdmissionReviews of a Pod and
# a Deployment, keep-alive. Prints requests/s, p50, p99, p99.9 and peak RSS for
#   1. the webhook at full speed (Pod, then Deployment),
#   2. the same stack answering a fixed review without evaluating (this machine's ceiling),
#   3. the webhook at a fixed 2,000 requests/s (latency under a steady load),
#   4. a soak of SOAK requests (default 1,000,000), with RSS sampled before and after.
# Usage: scripts/loadtest.sh [seconds per run, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-20}"
SOAK="${SOAK:-1000000}"
CONNECTIONS="${CONNECTIONS:-50}"
command -v oha >/dev/null || { echo "oha is needed: cargo install oha" >&2; exit 2; }
cargo build --release --bin rampart >&2
BIN=target/release/rampart
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$BIN" cert --out "$WORK/certs" --host localhost,127.0.0.1 >/dev/null

# Reviews: a Pod and a Deployment (the seed's), as the API server sends them.
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
       "spec": {"containers": [{"name": "web", "image": "nginx:1.27.2", "ports": [{"containerPort": 80}],
                "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                                    "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}}]}}
dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nginx-deployment", "namespace": "default", "labels": {"app": "nginx"}},
       "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}},
                "template": {"metadata": {"labels": {"app": "nginx"}},
                             "spec": {"containers": [{"name": "nginx", "image": "nginx:1.14.2", "ports": [{"containerPort": 80}],
                                                      "securityContext": {"runAsNonRoot": True}}]}}}}
def review(obj, group, resource):
    version = obj["apiVersion"].split("/")[-1]
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "kind": {"group": group, "version": version, "kind": obj["kind"]},
        "resource": {"group": group, "version": version, "resource": resource}, "name": obj["metadata"]["name"],
        "namespace": "default", "operation": "CREATE", "userInfo": {"username": "admin", "groups": ["system:authenticated"]},
        "object": obj, "oldObject": None, "dryRun": False}}
json.dump(review(pod, "", "pods"), open(f"{work}/pod.json", "w"))
json.dump(review(dep, "apps", "deployments"), open(f"{work}/deployment.json", "w"))
PY

POLICIES="stdlib:pod-security/controls/,examples/user-group-defaults/policy.yaml,examples/require-team-label/policy.yaml,examples/no-latest-images/policy.yaml"
start() { # port, extra flags...
  local port=$1; shift
  "$BIN" serve --policies "$POLICIES" --tls-cert "$WORK/certs/tls.crt" --tls-key "$WORK/certs/tls.key" \
    --listen "127.0.0.1:$port" "$@" 2>"$WORK/serve-$port.log" &
  echo $! > "$WORK/pid-$port"
  for _ in $(seq 100); do curl -sf --cacert "$WORK/certs/ca.crt" "https://localhost:$port/readyz" >/dev/null && return; sleep 0.1; done
  echo "server on $port did not start" >&2; cat "$WORK/serve-$port.log" >&2; exit 1
}
rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$(cat "$WORK/pid-$1")/status"; }
hwm() { awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$(cat "$WORK/pid-$1")/status"; }
run() { # label, port, body, extra oha flags...
  local label=$1 port=$2 body=$3; shift 3
  oha --no-tui --output-format json -c "$CONNECTIONS" --insecure -m POST -T application/json -D "$WORK/$body" "$@" \
    "https://localhost:$port/validate" > "$WORK/out.json"
  python3 - "$label" "$WORK/out.json" <<'PY'
import json, sys
label, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
s, p = r["summary"], r["latencyPercentiles"]
codes = r.get("statusCodeDistribution", {})
print(f"{label}: {s['requestsPerSec']:.0f} requests/s, p50 {p['p50']*1e3:.3f} ms, p99 {p['p99']*1e3:.3f} ms, "
      f"p99.9 {p['p99.9']*1e3:.3f} ms, success {s['successRate']*100:.2f}%, status {codes}")
PY
}

start 18443
start 18444 --fixed-response
run "webhook, Pod" 18443 pod.json -z "${DURATION}s"
run "webhook, Deployment" 18443 deployment.json -z "${DURATION}s"
echo "webhook peak RSS: $(hwm 18443)"
run "ceiling (fixed response), Pod" 18444 pod.json -z "${DURATION}s"
echo "ceiling peak RSS: $(hwm 18444)"
run "webhook at 2,000 requests/s, Pod" 18443 pod.json -z "${DURATION}s" -q 2000
before=$(rss 18443)
run "soak, $SOAK requests" 18443 pod.json -n "$SOAK"
echo "webhook RSS before the soak: $before; after: $(rss 18443); peak: $(hwm 18443)"
