//! Varied Pod manifests for the scale bench and the memory test: a deterministic mix of Pods
//! that meet the restricted Pod Security Standard and Pods that break it in different ways
//! (privileged, host namespaces, added capabilities, root users, missing seccomp, host paths),
//! one to three containers each.

use std::fmt::Write;

/// A tiny deterministic generator (xorshift), so every run writes the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The security context of a container: restricted, or broken in one of several ways.
fn container_security(rng: &mut Rng) -> &'static str {
    match rng.below(8) {
        0 => "        securityContext:\n          privileged: true\n",
        1 => {
            "        securityContext:\n          capabilities:\n            add: [NET_ADMIN, SYS_TIME]\n"
        }
        2 => {
            "        securityContext:\n          runAsUser: 0\n          allowPrivilegeEscalation: true\n"
        }
        3 => "",
        _ => {
            "        securityContext:\n          allowPrivilegeEscalation: false\n          runAsNonRoot: true\n          capabilities:\n            drop: [ALL]\n          seccompProfile:\n            type: RuntimeDefault\n"
        }
    }
}

/// Writes `n` Pod documents separated by `---`, about 550 bytes each.
pub fn write_pods(out: &mut String, n: usize, seed: u64) {
    let mut rng = Rng(seed | 1);
    for i in 0..n {
        let team = rng.below(12);
        let _ = write!(
            out,
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{i}\n  namespace: team-{team}\n  labels:\n    app: app-{app}\n    tier: {tier}\nspec:\n",
            app = rng.below(40),
            tier = ["frontend", "backend", "batch"][rng.below(3) as usize],
        );
        match rng.below(10) {
            0 => out.push_str("  hostNetwork: true\n"),
            1 => out.push_str("  hostPID: true\n"),
            _ => {}
        }
        if rng.below(3) > 0 {
            out.push_str("  securityContext:\n    runAsNonRoot: true\n    seccompProfile:\n      type: RuntimeDefault\n");
        }
        out.push_str("  containers:\n");
        for c in 0..1 + rng.below(3) {
            let _ = write!(
                out,
                "      - name: c{c}\n        image: registry.example.com/app-{img}:1.{minor}.{patch}\n        resources:\n          limits: {{cpu: {cpu}m, memory: {mem}Mi}}\n",
                img = rng.below(40),
                minor = rng.below(20),
                patch = rng.below(9),
                cpu = 100 * (1 + rng.below(8)),
                mem = 64 * (1 + rng.below(8)),
            );
            out.push_str(container_security(&mut rng));
        }
        if rng.below(12) == 0 {
            out.push_str("  volumes:\n    - name: host\n      hostPath:\n        path: /var/run\n");
        }
    }
}
