//! The worker pool shared by the parallel loops, capped by `VAULTMARK_THREADS` or
//! [`set_threads`] (default: the machine's available parallelism).

use rayon::{ThreadPool, ThreadPoolBuilder};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

static POOL: Mutex<Option<Arc<ThreadPool>>> = Mutex::new(None);

fn default_threads() -> usize {
    std::env::var("VAULTMARK_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
}

fn build(threads: usize) -> Arc<ThreadPool> {
    Arc::new(
        ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(|i| format!("vaultmark-{i}"))
            .build()
            .expect("thread pool"),
    )
}

/// The shared pool (built on first use).
pub fn pool() -> Arc<ThreadPool> {
    let mut guard = POOL.lock().unwrap_or_else(|e| e.into_inner());
    guard
        .get_or_insert_with(|| build(default_threads()))
        .clone()
}

/// Replaces the pool with one of `threads` workers (0 = the default); returns the count in use.
pub fn set_threads(threads: usize) -> usize {
    let n = if threads == 0 {
        default_threads()
    } else {
        threads
    };
    let mut guard = POOL.lock().unwrap_or_else(|e| e.into_inner());
    *guard = Some(build(n));
    n
}

/// Workers of the shared pool.
pub fn threads() -> usize {
    pool().current_num_threads()
}

/// A type-erased pointer to the task function of one [`run_shared`] call.
struct WorkFn(*const (dyn Fn(usize) + Sync));
// SAFETY: the function is Sync, and `run_shared` keeps it alive while any helper may call it.
unsafe impl Send for WorkFn {}
unsafe impl Sync for WorkFn {}

struct Shared {
    next: AtomicUsize,
    active: AtomicUsize,
    closed: AtomicBool,
    tasks: usize,
    work: WorkFn,
}

impl Shared {
    fn drain(&self, work: &(dyn Fn(usize) + Sync)) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            if i >= self.tasks {
                break;
            }
            work(i);
        }
    }
}

/// Runs `work(i)` for every task i < `tasks`, on the calling thread and on up to n − 1 of the
/// pool's n workers (so `VAULTMARK_THREADS` counts the caller), each taking the next task as it
/// comes free. The calling thread starts at once, so a short job
/// does not wait for sleeping workers to wake up (a wake-up can cost as much as the job); when it
/// runs out of tasks it waits only for helpers that have already started, and a helper that wakes
/// after that finds the job closed and leaves without touching it.
pub fn run_shared<F: Fn(usize) + Sync>(tasks: usize, work: F) {
    let pool = pool();
    let helpers = (pool.current_num_threads() - 1).min(tasks.saturating_sub(1));
    if helpers == 0 {
        (0..tasks).for_each(work);
        return;
    }
    let local: &(dyn Fn(usize) + Sync) = &work;
    // SAFETY: the lifetime is erased so that the pool's 'static jobs can hold the pointer; it is
    // dereferenced only by a helper that registered in `active` before `closed` was set, and this
    // function does not return (so `work` stays alive) until every such helper has left.
    let erased: *const (dyn Fn(usize) + Sync + 'static) = unsafe { std::mem::transmute(local) };
    let shared = Arc::new(Shared {
        next: AtomicUsize::new(0),
        active: AtomicUsize::new(0),
        closed: AtomicBool::new(false),
        tasks,
        work: WorkFn(erased),
    });
    for _ in 0..helpers {
        let shared = Arc::clone(&shared);
        pool.spawn(move || {
            shared.active.fetch_add(1, Ordering::SeqCst);
            if !shared.closed.load(Ordering::SeqCst) {
                // SAFETY: registered in `active` while the job was open: see above.
                let work = unsafe { &*shared.work.0 };
                shared.drain(work);
            }
            shared.active.fetch_sub(1, Ordering::SeqCst);
        });
    }
    shared.drain(local);
    shared.closed.store(true, Ordering::SeqCst);
    let mut spins = 0u32;
    while shared.active.load(Ordering::SeqCst) != 0 {
        spins += 1;
        if spins < 1 << 12 {
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
}

/// Calls `work(k, chunk)` for every `size`-long chunk k of `data` (the last may be shorter) through
/// [`run_shared`].
pub fn for_each_chunk_mut<T: Send, F: Fn(usize, &mut [T]) + Sync>(
    data: &mut [T],
    size: usize,
    work: F,
) {
    let chunks: Vec<Mutex<&mut [T]>> = data.chunks_mut(size.max(1)).map(Mutex::new).collect();
    run_shared(chunks.len(), |k| {
        // Each task runs once, so its lock is never contended.
        let mut chunk = chunks[k].lock().unwrap_or_else(|e| e.into_inner());
        work(k, &mut chunk);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_runs_exactly_once() {
        for tasks in [0usize, 1, 2, 7, 100] {
            for _ in 0..50 {
                let counts: Vec<AtomicUsize> = (0..tasks).map(|_| AtomicUsize::new(0)).collect();
                run_shared(tasks, |i| {
                    counts[i].fetch_add(1, Ordering::Relaxed);
                });
                assert!(counts.iter().all(|c| c.load(Ordering::Relaxed) == 1));
            }
        }
    }
}
