//! Coordination between bot replicas on one database: claiming work rows so that no row is
//! processed twice, and claiming a scheduled job's slot so that it runs once.
//!
//! Both rely on the database, not on memory: on PostgreSQL a claim locks its rows with
//! `FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint batches without waiting on each
//! other; SQLite has a single writer, so the same statement is already atomic there.

use sqlx::Row;

use super::{Backend, Store, StoreResult};

/// A claimed unit of work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkItem {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    /// How many times it has been claimed, this claim included.
    pub attempts: i64,
}

impl Store {
    /// Queues a unit of work of `kind`.
    pub async fn enqueue_work(&self, kind: &str, payload: &str, now: i64) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO work_items (kind, payload, state, created_at, updated_at)
             VALUES ($1, $2, 'queued', $3, $3) RETURNING id",
        )
        .bind(kind)
        .bind(payload)
        .bind(now)
        .fetch_one(&mut *self.write_conn().await?)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Claims up to `limit` items of `kind` for `worker` until `now + lease_seconds`, oldest
    /// first: queued items, and claimed items whose lease ran out (their worker died). Concurrent
    /// workers, in one process or many, never receive the same item while a lease holds.
    pub async fn claim_work(
        &self,
        kind: &str,
        worker: &str,
        limit: i64,
        lease_seconds: i64,
        now: i64,
    ) -> StoreResult<Vec<WorkItem>> {
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let query = format!(
            "UPDATE work_items SET state = 'claimed', claimed_by = $1, lease_until = $2, attempts = attempts + 1,
               updated_at = $3
             WHERE id IN (
               SELECT id FROM work_items
               WHERE kind = $4 AND (state = 'queued' OR (state = 'claimed' AND lease_until < $3))
               ORDER BY id LIMIT $5 {lock})
             RETURNING id, kind, payload, attempts"
        );
        let rows = sqlx::query(&query)
            .bind(worker)
            .bind(now + lease_seconds)
            .bind(now)
            .bind(kind)
            .bind(limit)
            .fetch_all(&mut *self.write_conn().await?)
            .await?;
        let mut items = rows
            .iter()
            .map(|r| {
                Ok(WorkItem {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    payload: r.try_get("payload")?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        items.sort_by_key(|item| item.id);
        Ok(items)
    }

    /// Marks an item done; `false` when `worker` no longer holds it (its lease ran out and
    /// another worker claimed it).
    pub async fn complete_work(&self, id: i64, worker: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE work_items SET state = 'done', updated_at = $1 WHERE id = $2 AND state = 'claimed' AND claimed_by = $3",
        )
        .bind(now)
        .bind(id)
        .bind(worker)
        .execute(&mut *self.write_conn().await?)
        .await?
        .rows_affected();
        Ok(done == 1)
    }

    /// Claims the run of `job` for `slot` (say `reminders` / `2027-03-02T10:00`) for `runner`;
    /// `true` for exactly one caller across all replicas, however many ask at once.
    pub async fn claim_job_run(&self, job: &str, slot: &str, runner: &str, now: i64) -> StoreResult<bool> {
        let claimed = sqlx::query(
            "INSERT INTO job_runs (job, slot, runner, started_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (job, slot) DO NOTHING",
        )
        .bind(job)
        .bind(slot)
        .bind(runner)
        .bind(now)
        .execute(&mut *self.write_conn().await?)
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    /// Whether the run of `job` for `slot` was claimed (by anyone).
    pub async fn job_ran(&self, job: &str, slot: &str) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 AS yes FROM job_runs WHERE job = $1 AND slot = $2")
            .bind(job)
            .bind(slot)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.is_some())
    }
}
