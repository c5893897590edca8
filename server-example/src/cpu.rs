//! CPU-bound work off the async runtime: PDF parsing, per-signer key
//! generation, PAdES signing, finalization and audit-trail sealing run on
//! tokio's blocking pool, at most [`limit`] at once, so that the runtime's
//! workers keep accepting and answering requests (reads, the webhook
//! worker, health checks) while signatures are computed.
//!
//! The bound is the number of cores: more jobs at once would not finish
//! sooner, only hold more documents in memory. Jobs queue fairly (tokio's
//! semaphore is first come, first served).

use std::sync::{Arc, LazyLock};

use paraph::ErrorCode;
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// A bounded set of blocking jobs.
#[derive(Debug, Clone)]
pub struct CpuPool {
    permits: Arc<Semaphore>,
}

impl CpuPool {
    /// A pool running at most `jobs` at once (at least one).
    pub fn new(jobs: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(jobs.max(1))),
        }
    }

    /// Runs `job` on the blocking pool once a permit is free. A job that
    /// panics answers `INTERNAL` (500) with `what` in the log, never a
    /// panic crossing into the request; a request dropped meanwhile (the
    /// client went away) lets its job finish, holding its permit until then.
    pub async fn run<T, F>(&self, what: &'static str, job: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce() -> AppResult<T> + Send + 'static,
    {
        let permit = self.permits.clone().acquire_owned().await.map_err(|e| {
            AppError::internal(ErrorCode::Internal, format!("{what}: no CPU permit: {e}"))
        })?;
        // The permit lives in the job, so it is released when the work
        // ends (or unwinds), not when the request's future is dropped.
        let outcome = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job()
        })
        .await;
        match outcome {
            Ok(result) => result,
            Err(join) if join.is_panic() => Err(AppError::internal(
                ErrorCode::Internal,
                format!("{what} panicked"),
            )),
            Err(join) => Err(AppError::internal(
                ErrorCode::Internal,
                format!("{what} did not finish: {join}"),
            )),
        }
    }

    /// Permits free now.
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }
}

static POOL: LazyLock<CpuPool> = LazyLock::new(|| CpuPool::new(limit()));

/// How many CPU jobs run at once: the cores this process may use.
pub fn limit() -> usize {
    std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or(1)
}

/// Runs `job` on the process's pool ([`CpuPool::run`]).
pub async fn run<T, F>(what: &'static str, job: F) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> AppResult<T> + Send + 'static,
{
    POOL.run(what, job).await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_panicking_job_is_an_internal_error_and_frees_its_permit() {
        let pool = CpuPool::new(1);
        let err = pool
            .run::<(), _>("a test job", || panic!("boom"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Internal);
        assert_eq!(err.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(pool.available(), 1);
        // And the one permit serves the next job.
        assert_eq!(pool.run("after", || Ok(7)).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn a_job_returns_its_value_and_its_typed_error() {
        assert_eq!(run("sum", || Ok(2 + 2)).await.unwrap(), 4);
        let err = run::<(), _>("refusal", || Err(AppError::invalid("no")))
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jobs_beyond_the_limit_wait_for_a_permit() {
        let pool = CpuPool::new(2);
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let jobs = (0..8).map(|_| {
            let (running, peak) = (running.clone(), peak.clone());
            pool.run("a counting job", move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            })
        });
        for result in futures::future::join_all(jobs).await {
            result.unwrap();
        }
        // Without the bound, eight 20 ms jobs would overlap far more.
        assert!(peak.load(Ordering::SeqCst) <= 2);
        assert_eq!(running.load(Ordering::SeqCst), 0);
    }
}
