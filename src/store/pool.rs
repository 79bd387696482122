//! The store's connections: sqlx's pool for PostgreSQL, and a plain pool of our own for SQLite.
//!
//! sqlx's pool tests every connection when it is released, and an idle one again when it is
//! acquired. On PostgreSQL that test flushes a transaction a dropped future left open, so it
//! stays. On SQLite each test is one more hand-off to the connection's worker thread and back,
//! and a query through the pool costs three hand-offs instead of one. Under load those thread
//! switches were most of the bot's time. SQLite does not need the test: a dropped transaction is
//! rolled back by the worker thread itself, in order, before the next command on that
//! connection, and a local file does not hang up. So SQLite connections are handed out as they
//! are.

use std::{
    borrow::Cow,
    ops::{Deref, DerefMut},
    sync::{Arc, Mutex},
};

use sqlx::{
    Any, AnyConnection, AnyPool, Connection, Database, TransactionManager, any::AnyConnectOptions, pool::PoolConnection,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::StoreResult;

/// Where the store's connections come from.
#[derive(Clone)]
pub(crate) enum Pool {
    Postgres(AnyPool),
    Sqlite(Arc<SqlitePool>),
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pool::Postgres(pool) => pool.fmt(f),
            Pool::Sqlite(pool) => f
                .debug_struct("SqlitePool")
                .field("idle", &pool.idle.lock().map(|idle| idle.len()).unwrap_or_default())
                .field("free", &pool.slots.available_permits())
                .finish(),
        }
    }
}

impl Pool {
    /// A connection of the store's own, until the returned guard is dropped.
    pub(crate) async fn acquire(&self) -> StoreResult<Conn> {
        Ok(match self {
            Pool::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
            Pool::Sqlite(pool) => Conn::Sqlite(pool.acquire(None).await?),
        })
    }

    /// A connection to write on. On SQLite it comes with the process's one writer's turn, held
    /// until the guard is dropped: this process's writers queue here, in order, rather than in
    /// SQLite's busy handler, which sleeps for whole milliseconds between tries while the lock
    /// is free again within microseconds. Other processes writing to the same file (an
    /// official's command line) are still waited for by `busy_timeout`.
    pub(crate) async fn acquire_writer(&self) -> StoreResult<Conn> {
        Ok(match self {
            Pool::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
            Pool::Sqlite(pool) => {
                // The turn before a connection: a writer waiting its turn holds no connection
                // that the writer before it, or a reader, might need.
                let turn = pool.writer.clone().acquire_owned().await.map_err(|_| sqlx::Error::PoolClosed)?;
                Conn::Sqlite(pool.acquire(Some(turn)).await?)
            }
        })
    }

    /// Closes every idle connection (and, on PostgreSQL, waits for the others to come back).
    pub(crate) async fn close(&self) {
        match self {
            Pool::Postgres(pool) => pool.close().await,
            Pool::Sqlite(pool) => {
                pool.slots.close();
                pool.writer.close();
                let idle = std::mem::take(&mut *pool.idle.lock().unwrap_or_else(|e| e.into_inner()));
                for conn in idle {
                    let _ = conn.close().await;
                }
            }
        }
    }
}

/// SQLite connections: at most `max` open at once, opened when first needed, each set up by
/// `setup` and then kept for the next caller, first come first served.
pub(crate) struct SqlitePool {
    options: AnyConnectOptions,
    setup: Vec<&'static str>,
    keep_idle: bool,
    slots: Arc<Semaphore>,
    /// One permit: the writer's turn.
    writer: Arc<Semaphore>,
    idle: Mutex<Vec<AnyConnection>>,
}

impl SqlitePool {
    /// Opens the first connection at once, so that a bad path fails here rather than on a
    /// resident's first update.
    pub(crate) async fn open(
        url: &str,
        max: usize,
        setup: Vec<&'static str>,
        keep_idle: bool,
    ) -> StoreResult<Arc<SqlitePool>> {
        let options: AnyConnectOptions = url.parse()?;
        let pool = Arc::new(SqlitePool {
            options,
            setup,
            keep_idle,
            slots: Arc::new(Semaphore::new(max)),
            writer: Arc::new(Semaphore::new(1)),
            idle: Mutex::default(),
        });
        let first = pool.connect().await?;
        if keep_idle {
            pool.idle.lock().unwrap_or_else(|e| e.into_inner()).push(first);
        } else {
            first.close().await?;
        }
        Ok(pool)
    }

    async fn connect(&self) -> StoreResult<AnyConnection> {
        let mut conn = AnyConnection::connect_with(&self.options).await?;
        for statement in &self.setup {
            sqlx::query(statement).execute(&mut conn).await?;
        }
        Ok(conn)
    }

    async fn acquire(self: &Arc<Self>, writer: Option<OwnedSemaphorePermit>) -> StoreResult<SqliteConn> {
        let permit = self.slots.clone().acquire_owned().await.map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.connect().await?,
        };
        Ok(SqliteConn { conn: Some(conn), home: self.clone(), settled: true, _permit: permit, _writer: writer })
    }
}

/// A SQLite connection lent out; it goes back to the pool when dropped.
pub(crate) struct SqliteConn {
    conn: Option<AnyConnection>,
    home: Arc<SqlitePool>,
    /// False while a transaction is being begun: a guard dropped then (its future cancelled)
    /// may leave a `BEGIN` queued that nobody will end, so the connection is closed instead.
    settled: bool,
    _permit: OwnedSemaphorePermit,
    /// The writer's turn, for a connection lent to write.
    _writer: Option<OwnedSemaphorePermit>,
}

impl Drop for SqliteConn {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take()
            && self.settled
            && self.home.keep_idle
            && !self.home.slots.is_closed()
        {
            self.home.idle.lock().unwrap_or_else(|e| e.into_inner()).push(conn);
        }
        // Otherwise the connection is dropped, which ends its worker thread and closes the file.
    }
}

/// A connection lent by the store's pool, used as `&mut *conn` wherever sqlx wants an executor.
pub(crate) enum Conn {
    Postgres(PoolConnection<Any>),
    Sqlite(SqliteConn),
}

impl Conn {
    fn settle(&mut self, settled: bool) {
        if let Conn::Sqlite(conn) = self {
            conn.settled = settled;
        }
    }
}

impl Deref for Conn {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            Conn::Postgres(conn) => conn,
            Conn::Sqlite(conn) => conn.conn.as_ref().expect("a lent connection is present until dropped"),
        }
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Conn::Postgres(conn) => conn,
            Conn::Sqlite(conn) => conn.conn.as_mut().expect("a lent connection is present until dropped"),
        }
    }
}

/// A transaction on a lent connection. It is rolled back when dropped without [`Tx::commit`],
/// as sqlx's own transactions are.
pub(crate) struct Tx {
    conn: Conn,
    open: bool,
}

impl Tx {
    pub(crate) async fn begin(mut conn: Conn, statement: Option<&'static str>) -> StoreResult<Tx> {
        conn.settle(false);
        <Any as Database>::TransactionManager::begin(&mut conn, statement.map(Cow::Borrowed)).await?;
        conn.settle(true);
        Ok(Tx { conn, open: true })
    }

    pub(crate) async fn commit(mut self) -> StoreResult<()> {
        <Any as Database>::TransactionManager::commit(&mut self.conn).await?;
        self.open = false;
        Ok(())
    }

    pub(crate) async fn rollback(mut self) -> StoreResult<()> {
        <Any as Database>::TransactionManager::rollback(&mut self.conn).await?;
        self.open = false;
        Ok(())
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if self.open {
            <Any as Database>::TransactionManager::start_rollback(&mut self.conn);
        }
    }
}

/// SQLite: a write transaction whose `BEGIN IMMEDIATE` goes in one query with its first
/// statements ([`InlineTx::BEGIN`] starts that query's SQL) and whose `COMMIT` goes in one with
/// its last. sqlx runs every statement of a query in one hand-off to the connection's thread,
/// so a transaction of two queries costs two hand-offs instead of four.
///
/// sqlx does not know of this transaction. Until it is ended ([`InlineTx::committed`] after the
/// query holding `COMMIT` succeeded, or [`InlineTx::rollback`]), the connection counts as
/// unsettled: a guard dropped before then (an error, a cancelled future) closes the connection,
/// which rolls the transaction back, rather than lending it out again inside it.
pub(crate) struct InlineTx {
    conn: Conn,
}

impl InlineTx {
    /// What the SQL of the transaction's first query starts with.
    pub(crate) const BEGIN: &'static str = "BEGIN IMMEDIATE;";

    pub(crate) fn new(mut conn: Conn) -> InlineTx {
        conn.settle(false);
        InlineTx { conn }
    }

    /// The query that ended with `COMMIT` succeeded.
    pub(crate) fn committed(mut self) {
        self.conn.settle(true);
    }

    pub(crate) async fn commit(mut self) -> StoreResult<()> {
        sqlx::query("COMMIT").execute(&mut *self.conn).await?;
        self.committed();
        Ok(())
    }

    pub(crate) async fn rollback(mut self) -> StoreResult<()> {
        sqlx::query("ROLLBACK").execute(&mut *self.conn).await?;
        self.conn.settle(true);
        Ok(())
    }
}

impl Deref for InlineTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl DerefMut for InlineTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

impl Deref for Tx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    async fn count(pool: &Pool) -> i64 {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM t").fetch_one(&mut *pool.acquire().await.unwrap()).await.unwrap();
        sqlx::Row::get(&row, "n")
    }

    #[tokio::test]
    async fn an_inline_transaction_left_unended_is_rolled_back_with_its_connection() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("inline.db").display());
        let pool = Pool::Sqlite(SqlitePool::open(&url, 1, vec!["PRAGMA journal_mode = WAL"], true).await.unwrap());
        sqlx::query("CREATE TABLE t (x INTEGER)").execute(&mut *pool.acquire().await.unwrap()).await.unwrap();
        let insert = format!("{} INSERT INTO t VALUES (1)", InlineTx::BEGIN);

        // Begun and committed in two queries.
        let mut tx = InlineTx::new(pool.acquire_writer().await.unwrap());
        sqlx::query(&insert).execute(&mut *tx).await.unwrap();
        sqlx::query("INSERT INTO t VALUES (2); COMMIT").execute(&mut *tx).await.unwrap();
        tx.committed();
        assert_eq!(count(&pool).await, 2);

        // Rolled back.
        let mut tx = InlineTx::new(pool.acquire_writer().await.unwrap());
        sqlx::query(&insert).execute(&mut *tx).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(count(&pool).await, 2);

        // Dropped inside the transaction (an error on the way): the one connection is closed
        // rather than lent out again, so the next one sees no trace of it and can write.
        let mut tx = InlineTx::new(pool.acquire_writer().await.unwrap());
        sqlx::query(&insert).execute(&mut *tx).await.unwrap();
        drop(tx);
        assert_eq!(count(&pool).await, 2);
        let mut tx = InlineTx::new(pool.acquire_writer().await.unwrap());
        sqlx::query(&insert).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(count(&pool).await, 3);
        pool.close().await;
    }

    #[tokio::test]
    async fn writers_take_turns_while_readers_go_on() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("turns.db").display());
        let pool = Pool::Sqlite(SqlitePool::open(&url, 4, vec!["PRAGMA journal_mode = WAL"], true).await.unwrap());
        let first = pool.acquire_writer().await.unwrap();
        let soon = Duration::from_millis(100);
        // A second writer waits for its turn, holding no connection meanwhile ...
        let mut second = Box::pin(pool.acquire_writer());
        assert!(tokio::time::timeout(soon, &mut second).await.is_err(), "the second writer waits");
        // ... so that every connection but the writer's is still there for readers.
        let readers = futures_util::future::try_join_all((0..3).map(|_| pool.acquire())).await.unwrap();
        drop(readers);
        drop(first);
        let second = tokio::time::timeout(Duration::from_secs(10), second).await.expect("its turn comes").unwrap();
        drop(second);
        pool.close().await;
    }
}
