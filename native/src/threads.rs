//! The worker pool shared by the parallel loops, capped by `VAULTMARK_THREADS` or
//! [`set_threads`] (default: the machine's available parallelism).

use rayon::{ThreadPool, ThreadPoolBuilder};
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
