//! The one thread the pipeline's CPU work runs on, so the connection stays free meanwhile.
//!
//! One long-lived thread rather than tokio's blocking pool: every compiled regex keeps a
//! lazy-DFA cache per thread that uses it (a few hundred kilobytes each, some 25 MB for the
//! whole rule set), and the pool's threads come and go, each new one filling its own caches
//! again. On one thread the caches are built once and the daemon's memory stays flat.

use std::sync::mpsc::{channel, Sender};
use std::sync::{LazyLock, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// The sending end of the worker's queue; the thread starts on first use and lives as long as
/// the process.
static QUEUE: LazyLock<Mutex<Option<Sender<Job>>>> = LazyLock::new(|| {
    let (tx, rx) = channel::<Job>();
    let spawned = std::thread::Builder::new()
        .name("pipeline".into())
        .spawn(move || {
            for job in rx {
                // A job that panics loses its result (the caller sees the worker fail), never
                // the thread.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
        });
    Mutex::new(spawned.ok().map(|_| tx))
});

/// Why a job did not come back.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("the pipeline thread cannot be started")]
    NoThread,
    #[error("the pipeline job panicked")]
    Panicked,
}

/// Runs `work` on the pipeline thread and waits for its result without blocking the runtime.
pub async fn run<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, WorkerError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(work());
    });
    let sent = match QUEUE.lock() {
        Ok(queue) => queue.as_ref().map(|q| q.send(job).is_ok()),
        Err(_) => None,
    };
    if sent != Some(true) {
        return Err(WorkerError::NoThread);
    }
    rx.await.map_err(|_| WorkerError::Panicked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_one_thread_and_a_panic_does_not_stop_it() {
        let first = run(|| std::thread::current().id()).await.expect("runs");
        let panicked = run(|| -> u8 { panic!("job panics") }).await;
        assert!(matches!(panicked, Err(WorkerError::Panicked)));
        let after = run(|| std::thread::current().id()).await.expect("runs");
        assert_eq!(first, after);
        assert_ne!(first, std::thread::current().id());
    }
}
