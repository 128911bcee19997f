//! An ordered parallel map with bounded memory: items from an iterator are processed on
//! several threads and their results handed back in input order, with at most `window` items
//! between being taken from the iterator and handed back.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};

/// Maps `work` over `items` on `threads` threads, calling `sink` with each result in input
/// order. `items` is pulled on its own thread. One thread runs everything inline, in order.
pub fn ordered_map<T, R>(
    items: impl Iterator<Item = T> + Send,
    threads: usize,
    work: impl Fn(T) -> R + Sync,
    mut sink: impl FnMut(R),
) where
    T: Send,
    R: Send,
{
    if threads <= 1 {
        items.map(work).for_each(sink);
        return;
    }
    let window = Window::new(4 * threads);
    let (to_workers, jobs) = mpsc::sync_channel::<(usize, T)>(threads);
    let jobs = Arc::new(Mutex::new(jobs));
    let (to_sink, results) = mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        let window = &window;
        scope.spawn(move || {
            for (i, item) in items.enumerate() {
                window.acquire();
                if to_workers.send((i, item)).is_err() {
                    break;
                }
            }
        });
        for _ in 0..threads {
            let jobs = Arc::clone(&jobs);
            let to_sink = to_sink.clone();
            let work = &work;
            scope.spawn(move || {
                loop {
                    let job = jobs.lock().ok().and_then(|rx| rx.recv().ok());
                    let Some((i, item)) = job else { break };
                    if to_sink.send((i, work(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(to_sink);
        let mut pending = BTreeMap::new();
        let mut next = 0;
        for (i, result) in results {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&next) {
                sink(result);
                window.release();
                next += 1;
            }
        }
    });
}

/// A counting semaphore: how many items may be in flight.
struct Window {
    free: Mutex<usize>,
    freed: Condvar,
}

impl Window {
    fn new(size: usize) -> Self {
        Window {
            free: Mutex::new(size),
            freed: Condvar::new(),
        }
    }

    fn acquire(&self) {
        let Ok(mut free) = self.free.lock() else {
            return;
        };
        while *free == 0 {
            free = match self.freed.wait(free) {
                Ok(f) => f,
                Err(_) => return,
            };
        }
        *free -= 1;
    }

    fn release(&self) {
        if let Ok(mut free) = self.free.lock() {
            *free += 1;
            self.freed.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ordered_map;

    #[test]
    fn results_come_back_in_input_order() {
        for threads in [1, 2, 3, 8] {
            let mut out = Vec::new();
            ordered_map(
                0..500u64,
                threads,
                |i| {
                    // Uneven work, so that results finish out of order.
                    std::thread::sleep(std::time::Duration::from_micros((i * 7919) % 300));
                    i * i
                },
                |r| out.push(r),
            );
            let expected: Vec<u64> = (0..500).map(|i| i * i).collect();
            assert_eq!(out, expected, "{threads} threads");
        }
    }
}
