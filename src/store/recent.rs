//! Users this process read in the last few seconds.
//!
//! Every update starts by reading its user (language, verification). A resident working through
//! a ballot sends an update every second or two, and under load that read was a third of the
//! bot's statements, each a hand-off to a SQLite connection's thread and back. So what
//! [`super::Store::seen`] reads is kept for [`FRESH`], and every write to a user or a residency
//! through this store forgets that user at once. A change made by another process (an official's
//! command line, another replica) is seen within [`FRESH`].

use std::{collections::HashMap, sync::Mutex};

use super::Seen;

/// How long a user read from the database is taken as still true, in seconds.
pub(crate) const FRESH: i64 = 10;

/// Entries kept before the stale ones are swept out; past [`MAX`] everything is forgotten.
const SWEEP_AT: usize = 4_096;
const MAX: usize = 65_536;

struct Entry {
    seen: Seen,
    /// The language the user's Telegram app gave when this was read: another one is news.
    given: Option<String>,
    /// When it was read (UTC seconds, the caller's clock).
    at: i64,
}

#[derive(Default)]
struct Inner {
    users: HashMap<i64, Entry>,
    /// Counts every forgetting, so that a read that began before one is not kept after it.
    forgotten: u64,
}

#[derive(Default)]
pub(crate) struct RecentUsers {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for RecentUsers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecentUsers").field("users", &self.lock().users.len()).finish()
    }
}

/// Whether something read at `at` is still fresh at `now` (a clock turned back is not).
fn fresh(at: i64, now: i64) -> bool {
    (0..FRESH).contains(&(now - at))
}

/// Taken before a database read: the read may be kept only if nothing was forgotten meanwhile.
#[derive(Clone, Copy)]
pub(crate) struct Ticket(u64);

impl RecentUsers {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The user as read less than [`FRESH`] ago, if their app still gives the same language.
    pub(crate) fn get(&self, telegram_id: i64, given: Option<&str>, now: i64) -> Option<Seen> {
        let inner = self.lock();
        let entry = inner.users.get(&telegram_id)?;
        (fresh(entry.at, now) && entry.given.as_deref() == given).then(|| entry.seen.clone())
    }

    pub(crate) fn ticket(&self) -> Ticket {
        Ticket(self.lock().forgotten)
    }

    /// Keeps what was read after `ticket` was taken, unless a user was forgotten since.
    pub(crate) fn put(&self, ticket: Ticket, telegram_id: i64, given: Option<&str>, seen: &Seen, now: i64) {
        let mut inner = self.lock();
        if inner.forgotten != ticket.0 {
            return;
        }
        if inner.users.len() >= SWEEP_AT && !inner.users.contains_key(&telegram_id) {
            inner.users.retain(|_, e| fresh(e.at, now));
            if inner.users.len() >= MAX {
                inner.users.clear();
            }
        }
        inner.users.insert(telegram_id, Entry { seen: seen.clone(), given: given.map(str::to_owned), at: now });
    }

    /// Forgets a user whose row or residency this process is changing.
    pub(crate) fn forget(&self, telegram_id: i64) {
        let mut inner = self.lock();
        inner.forgotten += 1;
        inner.users.remove(&telegram_id);
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
        recent.put(recent.ticket(), 7, Some("ko"), &voter(), t0);
        assert_eq!(recent.get(7, Some("ko"), t0 + 9), Some(voter()));
        assert_eq!(recent.get(7, Some("en"), t0), None);
        assert_eq!(recent.get(7, None, t0), None);
        assert_eq!(recent.get(7, Some("ko"), t0 + FRESH), None);
        assert_eq!(recent.get(7, Some("ko"), t0 - 1), None);
        assert_eq!(recent.get(8, Some("ko"), t0), None);
    }

    #[test]
    fn a_forgotten_user_is_read_again_and_a_read_begun_before_is_not_kept() {
        let recent = RecentUsers::default();
        let t0 = 1_700_000_000;
        recent.put(recent.ticket(), 7, None, &voter(), t0);
        let before = recent.ticket();
        recent.forget(7);
        assert_eq!(recent.get(7, None, t0), None);
        // A read that began before the forgetting may have seen the old row.
        recent.put(before, 7, None, &voter(), t0);
        assert_eq!(recent.get(7, None, t0), None);
        recent.put(recent.ticket(), 7, None, &Seen::default(), t0);
        assert_eq!(recent.get(7, None, t0), Some(Seen::default()));
    }

    #[test]
    fn stale_users_are_swept_out() {
        let recent = RecentUsers::default();
        let t0 = 1_700_000_000;
        for id in 0..SWEEP_AT as i64 {
            recent.put(recent.ticket(), id, None, &voter(), t0);
        }
        let later = t0 + FRESH;
        recent.put(recent.ticket(), -1, None, &voter(), later);
        assert_eq!(recent.lock().users.len(), 1);
        assert_eq!(recent.get(-1, None, later), Some(voter()));
    }
}
