//! Group commit for taps on SQLite.
//!
//! This process's writers take turns ([`super::Store::write_conn`]), and each statement is a
//! hand-off to the connection's thread and back. Under load a tap would wait for every write
//! queued before it, one hand-off each. Instead, the tap that gets the writer's turn takes every
//! tap write waiting at that moment and runs them as one statement (one `UPDATE … FROM
//! json_each(…)`, atomic like any single statement), then tells each tap whether its draft was
//! replaced.

use std::{
    collections::HashSet,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use sqlx::Row;
use tokio::sync::oneshot;

use super::{StoreError, StoreResult, pool::Conn};

/// The most tap writes one statement carries.
const AT_ONCE: usize = 256;

/// Replaces each listed draft's choices if they are still the old ones and the draft is still on
/// the same message: `[round, voter key, new choices, old choices, message id]` each.
const REPLACE: &str = "UPDATE ballot_drafts SET choices = json_extract(w.value, '$[2]')
     FROM json_each($1) AS w
     WHERE round_id = json_extract(w.value, '$[0]') AND voter_key = json_extract(w.value, '$[1]')
       AND choices = json_extract(w.value, '$[3]') AND message_id = json_extract(w.value, '$[4]')
     RETURNING round_id, voter_key";

/// One tap's draft write, waiting for a writer's turn.
#[derive(Debug)]
pub(crate) struct DraftWrite {
    pub round: i64,
    pub voter_key: String,
    pub choices: String,
    pub before: String,
    pub message_id: Option<i64>,
}

#[derive(Debug)]
struct Waiting {
    id: u64,
    write: DraftWrite,
    done: oneshot::Sender<StoreResult<bool>>,
}

/// The tap writes waiting for this process's writer.
#[derive(Debug, Default)]
pub(crate) struct DraftWrites {
    waiting: Mutex<Vec<Waiting>>,
    next_id: AtomicU64,
}

impl DraftWrites {
    /// Writes `write` together with whatever other taps wait at the time: `true` if the draft
    /// was replaced. `turn` waits for the writer's turn (a connection to write on).
    pub(crate) async fn write<F>(&self, write: DraftWrite, turn: impl Fn() -> F) -> StoreResult<bool>
    where
        F: Future<Output = StoreResult<Conn>>,
    {
        let (done, mut result) = oneshot::channel();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().push(Waiting { id, write, done });
        loop {
            tokio::select! {
                biased;
                // This write went with a batch, this tap's or another's.
                written = &mut result => return written.unwrap_or_else(|_| Err(lost())),
                conn = turn() => match conn {
                    Ok(conn) => {
                        let batch = self.take();
                        if !batch.is_empty() {
                            // A task of its own, so that every tap in it hears back even if this
                            // tap's handler is cancelled meanwhile.
                            tokio::spawn(run(conn, batch));
                        }
                    }
                    Err(e) => {
                        let mut waiting = self.lock();
                        if let Some(at) = waiting.iter().position(|w| w.id == id) {
                            waiting.remove(at);
                            return Err(e);
                        }
                    }
                },
            }
            // Once a batch has taken this write, only its answer is left to wait for: asking
            // for another turn would take someone else's, or fail again at once if the pool is
            // closing.
            if !self.lock().iter().any(|w| w.id == id) {
                return result.await.unwrap_or_else(|_| Err(lost()));
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Waiting>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Up to [`AT_ONCE`] waiting writes, in order, at most one per draft (a second write to the
    /// same draft waits for the next turn, so that it applies to the first one's result).
    fn take(&self) -> Vec<Waiting> {
        let mut waiting = self.lock();
        let mut drafts = HashSet::new();
        let mut batch = Vec::new();
        let mut rest = Vec::new();
        for w in waiting.drain(..) {
            if batch.len() < AT_ONCE && drafts.insert((w.write.round, w.write.voter_key.clone())) {
                batch.push(w);
            } else {
                rest.push(w);
            }
        }
        *waiting = rest;
        batch
    }
}

/// Runs one batch and answers each tap in it.
async fn run(mut conn: Conn, batch: Vec<Waiting>) {
    let writes: Vec<_> = batch
        .iter()
        .map(|w| {
            let w = &w.write;
            serde_json::json!([w.round, w.voter_key, w.choices, w.before, w.message_id])
        })
        .collect();
    let rows = sqlx::query(REPLACE).bind(serde_json::Value::Array(writes).to_string()).fetch_all(&mut *conn).await;
    drop(conn);
    let replaced: StoreResult<HashSet<(i64, String)>> = rows
        .map_err(StoreError::from)
        .and_then(|rows| rows.iter().map(|r| Ok((r.try_get("round_id")?, r.try_get("voter_key")?))).collect());
    match replaced {
        Ok(replaced) => {
            for w in batch {
                let key = (w.write.round, w.write.voter_key);
                let _ = w.done.send(Ok(replaced.contains(&key)));
            }
        }
        // Each tap reports the error (its resident hears the apology); none is tried again,
        // as the statement may have been written before its answer failed to decode.
        Err(e) => {
            let why = e.to_string();
            for w in batch {
                let _ = w.done.send(Err(StoreError::Database(sqlx::Error::Protocol(format!("tap writes: {why}")))));
            }
        }
    }
}

fn lost() -> StoreError {
    StoreError::Corrupt("a tap write was dropped unanswered".into())
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, time::Duration};

    use super::*;
    use crate::store::pool::{Pool, SqlitePool};

    /// A database of `n` drafts in round 1 (`k0`, `k1`…, choices `a`, message id as the key's
    /// number), its directory and address, and a pool on it.
    async fn drafts(n: i64) -> (tempfile::TempDir, String, Pool) {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("taps.db").display());
        let setup = vec!["PRAGMA journal_mode = WAL", "PRAGMA busy_timeout = 10000"];
        let pool = Pool::Sqlite(SqlitePool::open(&url, 4, setup, true).await.unwrap());
        let mut conn = pool.acquire().await.unwrap();
        sqlx::query(
            "CREATE TABLE ballot_drafts (round_id BIGINT NOT NULL, voter_key TEXT NOT NULL, choices TEXT NOT NULL,
             message_id BIGINT, PRIMARY KEY (round_id, voter_key)) WITHOUT ROWID",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        for i in 0..n {
            sqlx::query("INSERT INTO ballot_drafts VALUES (1, $1, 'a', $2)")
                .bind(format!("k{i}"))
                .bind(i)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        (dir, url, pool)
    }

    fn write(key: i64, before: &str, choices: &str, message_id: i64) -> DraftWrite {
        DraftWrite {
            round: 1,
            voter_key: format!("k{key}"),
            choices: choices.into(),
            before: before.into(),
            message_id: Some(message_id),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn taps_waiting_together_are_written_together_and_each_hears_its_own_answer() {
        let (_dir, _url, pool) = drafts(100).await;
        let mut all: Vec<DraftWrite> = (0..100).map(|i| write(i, "a", &format!("b{i}"), i)).collect();
        all[7].before = "x".into(); // changed elsewhere meanwhile
        all[8].message_id = Some(999); // an older ballot message
        all.push(write(0, "b0", "c0", 0)); // a second tap on the same draft comes after the first

        // The writer's turn is taken, so that every write queues; then they go.
        let writes = Arc::new(DraftWrites::default());
        let held = pool.acquire_writer().await.unwrap();
        let answers = tokio::spawn({
            let (writes, pool) = (writes.clone(), pool.clone());
            async move {
                let pending = all.into_iter().map(|w| {
                    let (writes, pool) = (writes.clone(), pool.clone());
                    async move { writes.write(w, || pool.acquire_writer()).await.unwrap() }
                });
                futures_util::future::join_all(pending).await
            }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(writes.lock().len(), 101, "all wait together");
        drop(held);
        let answers = tokio::time::timeout(Duration::from_secs(10), answers).await.unwrap().unwrap();

        let expected: Vec<bool> = (0..101).map(|i| i != 7 && i != 8).collect();
        assert_eq!(answers, expected);
        let rows = sqlx::query("SELECT voter_key, choices FROM ballot_drafts ORDER BY voter_key")
            .fetch_all(&mut *pool.acquire().await.unwrap())
            .await
            .unwrap();
        let stored: std::collections::HashMap<String, String> =
            rows.iter().map(|r| (r.get("voter_key"), r.get("choices"))).collect();
        assert_eq!(stored["k0"], "c0");
        assert_eq!(stored["k1"], "b1");
        assert_eq!(stored["k99"], "b99");
        assert_eq!((stored["k7"].as_str(), stored["k8"].as_str()), ("a", "a"));
        assert!(writes.lock().is_empty());
        pool.close().await;
    }

    /// A tap whose write another tap's batch took, and whose own turn then fails (the pool
    /// closing at shutdown), waits for that batch's answer instead of asking again and again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_taken_by_another_batch_waits_for_its_answer_even_when_its_turn_fails() {
        use std::sync::atomic::AtomicUsize;

        let (_dir, url, pool) = drafts(2).await;
        // Another process holds the file's write lock, so the batch waits in `busy_timeout`.
        let mut other: sqlx::AnyConnection = sqlx::Connection::connect(&url).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.unwrap();

        let writes = Arc::new(DraftWrites::default());
        let gate = Arc::new(tokio::sync::Notify::new());
        let turns = Arc::new(AtomicUsize::new(0));
        // The first tap's turn is slow in coming, and then fails, as every later turn does.
        let first = tokio::spawn({
            let (writes, gate, turns) = (writes.clone(), gate.clone(), turns.clone());
            async move {
                let turn = || {
                    let (gate, turns) = (gate.clone(), turns.clone());
                    async move {
                        if turns.fetch_add(1, Ordering::SeqCst) == 0 {
                            gate.notified().await;
                        }
                        tokio::task::yield_now().await;
                        Err::<Conn, _>(StoreError::Database(sqlx::Error::PoolClosed))
                    }
                };
                writes.write(write(0, "a", "b0", 0), turn).await
            }
        });
        while writes.lock().is_empty() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        // The second tap gets the writer's turn and takes both writes.
        let second = tokio::spawn({
            let (writes, pool) = (writes.clone(), pool.clone());
            async move { writes.write(write(1, "a", "b1", 1), || pool.acquire_writer()).await }
        });
        while !writes.lock().is_empty() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        gate.notify_one();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(turns.load(Ordering::SeqCst), 1, "no turn asked for once the write was taken");
        assert!(!first.is_finished(), "the batch has not answered yet");

        sqlx::query("COMMIT").execute(&mut other).await.unwrap();
        let first = tokio::time::timeout(Duration::from_secs(10), first).await.unwrap().unwrap();
        let second = tokio::time::timeout(Duration::from_secs(10), second).await.unwrap().unwrap();
        assert!(first.unwrap() && second.unwrap(), "both drafts replaced by the batch");
        assert_eq!(turns.load(Ordering::SeqCst), 1);
        pool.close().await;
    }
}
