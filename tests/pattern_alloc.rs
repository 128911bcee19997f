//! Validating a resource that passes a pattern must not allocate (design principle 1).
//! A counting global allocator measures allocations made by `Pattern::validate` on this thread.

use rampart::unstable::{Outcome, Pattern};
use serde_json::json;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce() -> Outcome) -> (usize, Outcome) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (ALLOCATIONS.with(Cell::get) - before, out)
}

#[test]
fn passing_validation_does_not_allocate() {
    let pattern = json!({
        "metadata": {"labels": {"app.kubernetes.io/*": "?*"}},
        "spec": {
            "=(securityContext)": {"=(runAsNonRoot)": true},
            "containers": [{
                "name": "*",
                "(image)": "!*:latest",
                "image": "registry.example.com/* | docker.io/*",
                "resources": {"limits": {"memory": "<=2Gi", "cpu": "100m-4"}},
                "=(securityContext)": {"=(allowPrivilegeEscalation)": false, "X(privileged)": null},
                "^(ports)": [{"containerPort": ">0"}]
            }]
        }
    });
    let resource = json!({
        "metadata": {"name": "p", "labels": {"app.kubernetes.io/name": "web"}},
        "spec": {
            "securityContext": {"runAsNonRoot": true},
            "containers": [
                {"name": "a", "image": "docker.io/nginx:1.25", "resources": {"limits": {"memory": "1Gi", "cpu": "500m"}},
                 "securityContext": {"allowPrivilegeEscalation": false}, "ports": [{"containerPort": 80}]},
                {"name": "b", "image": "docker.io/nginx:latest"}
            ]
        }
    });
    let compiled = Pattern::compile(&pattern).expect("pattern compiles");
    let (count, outcome) = allocations_during(|| compiled.validate(&resource));
    assert_eq!(outcome, Outcome::Pass);
    assert_eq!(count, 0, "allocations while validating a passing resource");
}
