//! What this process read in the last few seconds.
//!
//! Every update starts by reading its user (language, verification). A resident working through
//! a ballot sends an update every second or two, and under load that read was a third of the
//! bot's statements, each a hand-off to a SQLite connection's thread and back. So what
//! [`super::Store::seen`] reads is kept for [`FRESH`], and every write to a user or a residency
//! through this store forgets that user at once. A change made by another process (an official's
//! command line, another replica) is seen within [`FRESH`].
//!
//! A tap on a ballot works the same way with its round and the voter's draft (see
//! [`super::Store::round_with_draft`]); there the draft is only a guess that the write checks.
//!
//! What every resident is shown alike, the year's cycle and its rounds, is kept for a second
//! ([`Recent::lasting`]): a burst of `/start` and `/vote` reads it once a second instead of once
//! an update.

use std::{collections::HashMap, hash::Hash, sync::Mutex};

use super::Seen;

/// How long something read from the database is taken as still true, in seconds.
pub(crate) const FRESH: i64 = 10;

/// Entries kept before the stale ones are first swept out; past [`MAX`] everything is forgotten.
/// After a sweep the next comes when the entries left have doubled, so that a burst of fresh
/// entries is not scanned again on every new key.
const SWEEP_AT: usize = 4_096;
const MAX: usize = 65_536;

struct Entry<V> {
    value: V,
    /// When it was read (UTC seconds, the caller's clock).
    at: i64,
}

struct Inner<K, V> {
    entries: HashMap<K, Entry<V>>,
    /// Counts every forgetting, so that a read that began before one is not kept after it.
    generation: u64,
    /// The generation each key was last forgotten in; cleared when it grows past [`SWEEP_AT`],
    /// and then no read that began before the clearing is kept ([`Inner::floor`]).
    forgotten: HashMap<K, u64>,
    floor: u64,
    /// How many entries start the next sweep.
    sweep_at: usize,
    /// Sweeps so far.
    sweeps: u64,
}

/// Values read from the database in the last [`FRESH`] seconds (or as many as given), by key.
pub(crate) struct Recent<K, V> {
    inner: Mutex<Inner<K, V>>,
    /// How many seconds a value stays fresh.
    lasts: i64,
}

impl<K, V> Default for Recent<K, V> {
    fn default() -> Self {
        Recent::lasting(FRESH)
    }
}

impl<K, V> Recent<K, V> {
    /// Values kept for `seconds` (by the caller's clock) after they were read.
    pub(crate) fn lasting(seconds: i64) -> Self {
        Recent {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                generation: 0,
                forgotten: HashMap::new(),
                floor: 0,
                sweep_at: SWEEP_AT,
                sweeps: 0,
            }),
            lasts: seconds,
        }
    }
}

impl<K, V> std::fmt::Debug for Recent<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("Recent").field("entries", &inner.entries.len()).field("sweeps", &inner.sweeps).finish()
    }
}

/// Whether something read at `at` is still fresh at `now`, for `lasts` seconds (a clock turned
/// back is not).
fn fresh(at: i64, now: i64, lasts: i64) -> bool {
    (0..lasts).contains(&(now - at))
}

/// Taken before a database read: the read may be kept only if nothing was forgotten meanwhile.
#[derive(Clone, Copy)]
pub(crate) struct Ticket(u64);

impl<K: Eq + Hash + Clone, V: Clone> Recent<K, V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<K, V>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value as read less than [`FRESH`] ago.
    pub(crate) fn get(&self, key: &K, now: i64) -> Option<V> {
        let inner = self.lock();
        let entry = inner.entries.get(key)?;
        fresh(entry.at, now, self.lasts).then(|| entry.value.clone())
    }

    pub(crate) fn ticket(&self) -> Ticket {
        Ticket(self.lock().generation)
    }

    /// Keeps what was read after `ticket` was taken, unless its key was forgotten since.
    pub(crate) fn put(&self, ticket: Ticket, key: K, value: V, now: i64) {
        let mut inner = self.lock();
        if ticket.0 < inner.floor || inner.forgotten.get(&key).is_some_and(|&at| at > ticket.0) {
            return;
        }
        if inner.entries.len() >= inner.sweep_at && !inner.entries.contains_key(&key) {
            let lasts = self.lasts;
            inner.entries.retain(|_, e| fresh(e.at, now, lasts));
            if inner.entries.len() >= MAX {
                inner.entries.clear();
            }
            inner.sweep_at = (2 * inner.entries.len()).clamp(SWEEP_AT, MAX);
            inner.sweeps += 1;
        }
        inner.entries.insert(key, Entry { value, at: now });
    }

    /// Forgets a key whose rows this process is changing. The ticket returned lets the caller
    /// keep what it then writes under that key, unless another forgetting of it comes first.
    pub(crate) fn forget(&self, key: &K) -> Ticket {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.remove(key);
        if inner.forgotten.len() >= SWEEP_AT {
            inner.forgotten.clear();
            inner.floor = inner.generation;
        }
        let generation = inner.generation;
        inner.forgotten.insert(key.clone(), generation);
        Ticket(generation)
    }

    /// The value as read less than its lifetime ago, else what `read` reads now, kept unless its
    /// key is forgotten while it reads.
    pub(crate) async fn or_read<E>(&self, key: K, now: i64, read: impl Future<Output = Result<V, E>>) -> Result<V, E> {
        if let Some(value) = self.get(&key, now) {
            return Ok(value);
        }
        let ticket = self.ticket();
        let value = read.await?;
        self.put(ticket, key, value.clone(), now);
        Ok(value)
    }

    /// Forgets every key, after a write whose keys are not known here; no read begun before is
    /// kept.
    pub(crate) fn forget_all(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.clear();
        inner.forgotten.clear();
        inner.floor = inner.generation;
    }
}

/// A user as [`super::Store::seen`] read them, and the language their Telegram app gave then
/// (another one is news).
#[derive(Clone)]
pub(crate) struct SeenUser {
    seen: Seen,
    given: Option<String>,
}

/// Users read in the last seconds.
pub(crate) type RecentUsers = Recent<i64, SeenUser>;

impl RecentUsers {
    /// The user as read less than [`FRESH`] ago, if their app still gives the same language.
    pub(crate) fn user(&self, telegram_id: i64, given: Option<&str>, now: i64) -> Option<Seen> {
        self.get(&telegram_id, now).filter(|user| user.given.as_deref() == given).map(|user| user.seen)
    }

    pub(crate) fn put_user(&self, ticket: Ticket, telegram_id: i64, given: Option<&str>, seen: &Seen, now: i64) {
        self.put(ticket, telegram_id, SeenUser { seen: seen.clone(), given: given.map(str::to_owned) }, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voter() -> Seen {
        Seen { voter: Some(("roll:1".into(), "sinchon".into())), ..Seen::default() }
    }

    #[test]
    fn a_user_is_kept_while_fresh_and_for_the_same_app_language() {
        let recent = RecentUsers::default();
        let t0 = 1_700_000_000;
        recent.put_user(recent.ticket(), 7, Some("ko"), &voter(), t0);
        assert_eq!(recent.user(7, Some("ko"), t0 + 9), Some(voter()));
        assert_eq!(recent.user(7, Some("en"), t0), None);
        assert_eq!(recent.user(7, None, t0), None);
        assert_eq!(recent.user(7, Some("ko"), t0 + FRESH), None);
        assert_eq!(recent.user(7, Some("ko"), t0 - 1), None);
        assert_eq!(recent.user(8, Some("ko"), t0), None);
    }

    #[test]
    fn a_forgotten_user_is_read_again_and_a_read_begun_before_is_not_kept() {
        let recent = RecentUsers::default();
        let t0 = 1_700_000_000;
        recent.put_user(recent.ticket(), 7, None, &voter(), t0);
        let before = recent.ticket();
        recent.forget(&7);
        assert_eq!(recent.user(7, None, t0), None);
        // A read that began before the forgetting may have seen the old row.
        recent.put_user(before, 7, None, &voter(), t0);
        assert_eq!(recent.user(7, None, t0), None);
        recent.put_user(recent.ticket(), 7, None, &Seen::default(), t0);
        assert_eq!(recent.user(7, None, t0), Some(Seen::default()));
    }

    #[test]
    fn forgetting_one_key_keeps_reads_of_the_others_and_a_clearing_keeps_none_begun_before() {
        let recent: Recent<i64, &str> = Recent::default();
        let t0 = 1_700_000_000;
        let before = recent.ticket();
        recent.forget(&1);
        // Another key's read, begun before, is still good; the forgotten one's is not.
        recent.put(before, 2, "two", t0);
        recent.put(before, 1, "one", t0);
        assert_eq!((recent.get(&2, t0), recent.get(&1, t0)), (Some("two"), None));
        // What a writer writes after forgetting is kept, unless its key is forgotten again first.
        let writing = recent.forget(&1);
        recent.put(writing, 1, "one, written", t0);
        assert_eq!(recent.get(&1, t0), Some("one, written"));
        let writing = recent.forget(&1);
        recent.forget(&1);
        recent.put(writing, 1, "one, overtaken", t0);
        assert_eq!(recent.get(&1, t0), None);
        // Forgetting many keys clears the record of them: a read begun before is then not kept,
        // whatever its key, and one begun after is.
        let before = recent.ticket();
        for key in 100..100 + SWEEP_AT as i64 + 1 {
            recent.forget(&key);
        }
        recent.put(before, 3, "three", t0);
        assert_eq!(recent.get(&3, t0), None);
        recent.put(recent.ticket(), 3, "three", t0);
        assert_eq!(recent.get(&3, t0), Some("three"));
    }

    #[test]
    fn a_value_lasts_as_long_as_asked_and_forgetting_all_keeps_no_read_begun_before() {
        let recent: Recent<i32, &str> = Recent::lasting(1);
        let t0 = 1_700_000_000;
        recent.put(recent.ticket(), 2026, "rounds", t0);
        assert_eq!(recent.get(&2026, t0), Some("rounds"));
        assert_eq!(recent.get(&2026, t0 + 1), None);
        let before = recent.ticket();
        recent.forget_all();
        assert_eq!(recent.get(&2026, t0), None);
        recent.put(before, 2026, "rounds, read before the write", t0);
        assert_eq!(recent.get(&2026, t0), None);
        recent.put(recent.ticket(), 2026, "rounds, read after", t0);
        assert_eq!(recent.get(&2026, t0), Some("rounds, read after"));
    }

    #[test]
    fn stale_users_are_swept_out() {
        let recent = RecentUsers::default();
        let t0 = 1_700_000_000;
        for id in 0..SWEEP_AT as i64 {
            recent.put_user(recent.ticket(), id, None, &voter(), t0);
        }
        let later = t0 + FRESH;
        recent.put_user(recent.ticket(), -1, None, &voter(), later);
        assert_eq!(recent.lock().entries.len(), 1);
        assert_eq!(recent.user(-1, None, later), Some(voter()));
    }

    #[test]
    fn fresh_entries_are_not_scanned_again_until_they_have_doubled() {
        let recent: Recent<i64, ()> = Recent::default();
        let t0 = 1_700_000_000;
        let put = |key: i64| recent.put(recent.ticket(), key, (), t0);
        (0..SWEEP_AT as i64).for_each(put);
        assert_eq!(recent.lock().sweeps, 0);
        // The first sweep finds every entry fresh and keeps them all.
        put(-1);
        let inner = recent.lock();
        assert_eq!((inner.sweeps, inner.entries.len()), (1, SWEEP_AT + 1));
        drop(inner);
        // Each new key used to scan them all again; now they may double first.
        (SWEEP_AT as i64..2 * SWEEP_AT as i64 - 1).for_each(put);
        assert_eq!(recent.lock().entries.len(), 2 * SWEEP_AT);
        assert_eq!(recent.lock().sweeps, 1);
        put(-2);
        assert_eq!(recent.lock().sweeps, 2);
        // However many come, no more than [`MAX`] are kept.
        (3 * SWEEP_AT as i64..3 * SWEEP_AT as i64 + MAX as i64).for_each(put);
        assert!(recent.lock().entries.len() <= MAX, "{recent:?}");
    }
}
