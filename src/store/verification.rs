//! Verification records: the resident roll, one-time codes, who is verified, lockouts,
//! subscriptions, and forgetting a user. Only keyed hashes of phones and codes are stored.

use sqlx::{Row, any::AnyRow};

use super::{Store, StoreResult, insert_audit};

/// One checked row of a roll file, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollRow {
    pub dong_key: String,
    pub phone_hash: String,
    pub birth_year: Option<i32>,
    pub external_ref: Option<String>,
}

/// A roll entry matched by a phone hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollEntry {
    pub id: i64,
    pub dong_key: String,
    pub birth_year: Option<i32>,
}

/// How a user is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    pub dong_key: String,
    pub method: String,
    pub verified_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindOutcome {
    Bound,
    /// This user is already verified, in this dong.
    AlreadyVerified {
        dong_key: String,
    },
    /// Another account is already bound to this roll entry.
    EntryTaken,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedeemOutcome {
    Verified {
        dong_key: String,
    },
    AlreadyVerified {
        dong_key: String,
    },
    /// No such code; `left` more wrong codes before a lockout.
    Unknown {
        left: u32,
    },
    Expired,
    Used,
    /// Too many wrong codes: code verification is closed to this account until `until`.
    LockedOut {
        until: i64,
    },
}

/// Limits on guessing codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeLimits {
    pub max_failures: u32,
    pub lockout_seconds: i64,
}

impl Store {
    /// Imports roll rows in one transaction: new phones are added, known ones updated (so a
    /// re-import is idempotent). Returns how many entries were new.
    pub async fn import_roll(&self, rows: &[RollRow], now: i64, actor: Option<i64>) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        // The phone-hash index is written in random order: this transaction gets a 16 MB page
        // cache (a 300,000-entry import then takes about 3 s), and gives it back at the end.
        if self.backend == super::Backend::Sqlite {
            sqlx::query("PRAGMA cache_size = -16000").execute(&mut *tx).await?;
        }
        let before: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM roll_entries").fetch_one(&mut *tx).await?.try_get("n")?;
        for chunk in rows.chunks(200) {
            let placeholders: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${}, ${}, ${})", i * 5 + 1, i * 5 + 2, i * 5 + 3, i * 5 + 4, i * 5 + 5))
                .collect();
            let sql = format!(
                "INSERT INTO roll_entries (dong_key, phone_hash, birth_year, external_ref, imported_at) VALUES {}
                 ON CONFLICT (phone_hash) DO UPDATE SET dong_key = excluded.dong_key, birth_year = excluded.birth_year,
                   external_ref = excluded.external_ref, imported_at = excluded.imported_at",
                placeholders.join(", ")
            );
            let mut insert = sqlx::query(&sql);
            for row in chunk {
                insert = insert
                    .bind(row.dong_key.clone())
                    .bind(row.phone_hash.clone())
                    .bind(row.birth_year)
                    .bind(row.external_ref.clone())
                    .bind(now);
            }
            insert.execute(&mut *tx).await?;
        }
        let after: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM roll_entries").fetch_one(&mut *tx).await?.try_get("n")?;
        let detail = serde_json::json!({ "rows": rows.len(), "new": after - before }).to_string();
        insert_audit(&mut tx, now, actor, "roll.import", None, Some(&detail)).await?;
        if self.backend == super::Backend::Sqlite {
            sqlx::query(super::SQLITE_CACHE).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(u64::try_from(after - before).unwrap_or(0))
    }

    pub async fn roll_entry(&self, phone_hash: &str) -> StoreResult<Option<RollEntry>> {
        let row = sqlx::query("SELECT id, dong_key, birth_year FROM roll_entries WHERE phone_hash = $1")
            .bind(phone_hash)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.map(|r| {
            let birth_year: Option<i64> = r.try_get("birth_year")?;
            Ok(RollEntry {
                id: r.try_get("id")?,
                dong_key: r.try_get("dong_key")?,
                birth_year: birth_year.and_then(|y| i32::try_from(y).ok()),
            })
        })
        .transpose()
    }

    /// How a verified resident is named to the ballot box: by their roll entry (`roll:12`) or
    /// the code they verified with (`code:40`), with their dong. The same person keeps the same
    /// name across Telegram accounts only through an official's rebinding of the roll entry.
    pub async fn voter(&self, telegram_id: i64) -> StoreResult<Option<(String, String)>> {
        let row = sqlx::query("SELECT dong_key, roll_entry_id, code_id FROM residents WHERE telegram_id = $1")
            .bind(telegram_id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.map_or(Ok(None), |row| voter_of(telegram_id, &row))
    }

    pub async fn resident(&self, telegram_id: i64) -> StoreResult<Option<Resident>> {
        let row = sqlx::query("SELECT dong_key, method, verified_at FROM residents WHERE telegram_id = $1")
            .bind(telegram_id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.map(|r| {
            Ok(Resident {
                dong_key: r.try_get("dong_key")?,
                method: r.try_get("method")?,
                verified_at: r.try_get("verified_at")?,
            })
        })
        .transpose()
    }

    /// Binds a user to a roll entry and subscribes them to its dong, unless either is taken.
    pub async fn bind_roll_entry(&self, telegram_id: i64, entry: &RollEntry, now: i64) -> StoreResult<BindOutcome> {
        let mut tx = self.write_tx().await?;
        let inserted = sqlx::query(
            "INSERT INTO residents (telegram_id, dong_key, method, roll_entry_id, verified_at) VALUES ($1, $2, 'phone', $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(telegram_id)
        .bind(&entry.dong_key)
        .bind(entry.id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            let mine = sqlx::query("SELECT dong_key FROM residents WHERE telegram_id = $1")
                .bind(telegram_id)
                .fetch_optional(&mut *tx)
                .await?;
            return Ok(match mine {
                Some(row) => BindOutcome::AlreadyVerified { dong_key: row.try_get("dong_key")? },
                None => BindOutcome::EntryTaken,
            });
        }
        subscribe_tx(&mut tx, telegram_id, "dong", &entry.dong_key, now).await?;
        tx.commit().await?;
        self.recent.forget(&telegram_id);
        Ok(BindOutcome::Bound)
    }

    /// Stores freshly issued codes (their hashes) for a dong; audited.
    pub async fn issue_codes(
        &self,
        dong_key: &str,
        hashes: &[String],
        expires_at: i64,
        issued_by: Option<i64>,
        now: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        for hash in hashes {
            sqlx::query(
                "INSERT INTO verification_codes (code_hash, dong_key, expires_at, issued_by, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(hash)
            .bind(dong_key)
            .bind(expires_at)
            .bind(issued_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let detail =
            serde_json::json!({ "dong": dong_key, "count": hashes.len(), "expires_at": expires_at }).to_string();
        insert_audit(&mut tx, now, issued_by, "codes.issue", Some(dong_key), Some(&detail)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// When this account's code lockout ends, if it is locked out now.
    pub async fn code_lockout(&self, telegram_id: i64, now: i64) -> StoreResult<Option<i64>> {
        let row = sqlx::query("SELECT locked_until FROM code_attempts WHERE telegram_id = $1")
            .bind(telegram_id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        let until: Option<i64> = row.map(|r| r.try_get("locked_until")).transpose()?.flatten();
        Ok(until.filter(|until| *until > now))
    }

    /// Redeems a code for a user: single use, before expiry, not while locked out. Unknown codes
    /// count towards a lockout; a lockout lasts `limits.lockout_seconds`.
    pub async fn redeem_code(
        &self,
        telegram_id: i64,
        code_hash: &str,
        limits: CodeLimits,
        now: i64,
    ) -> StoreResult<RedeemOutcome> {
        let mut tx = self.write_tx().await?;
        // Taking the user's attempts row first serialises one account's concurrent guesses.
        sqlx::query("INSERT INTO code_attempts (telegram_id, failures) VALUES ($1, 0) ON CONFLICT (telegram_id) DO UPDATE SET failures = code_attempts.failures")
            .bind(telegram_id)
            .execute(&mut *tx)
            .await?;
        let attempts = sqlx::query("SELECT failures, locked_until FROM code_attempts WHERE telegram_id = $1")
            .bind(telegram_id)
            .fetch_one(&mut *tx)
            .await?;
        let failures: i64 = attempts.try_get("failures")?;
        let locked_until: Option<i64> = attempts.try_get("locked_until")?;
        if let Some(until) = locked_until.filter(|until| *until > now) {
            tx.commit().await?;
            return Ok(RedeemOutcome::LockedOut { until });
        }
        if let Some(row) = sqlx::query("SELECT dong_key FROM residents WHERE telegram_id = $1")
            .bind(telegram_id)
            .fetch_optional(&mut *tx)
            .await?
        {
            return Ok(RedeemOutcome::AlreadyVerified { dong_key: row.try_get("dong_key")? });
        }
        let code = sqlx::query("SELECT id, dong_key, expires_at, used_at FROM verification_codes WHERE code_hash = $1")
            .bind(code_hash)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(code) = code else {
            let failures = failures + 1;
            let outcome = if failures >= i64::from(limits.max_failures) {
                let until = now + limits.lockout_seconds;
                sqlx::query("UPDATE code_attempts SET failures = 0, locked_until = $1 WHERE telegram_id = $2")
                    .bind(until)
                    .bind(telegram_id)
                    .execute(&mut *tx)
                    .await?;
                RedeemOutcome::LockedOut { until }
            } else {
                sqlx::query("UPDATE code_attempts SET failures = $1 WHERE telegram_id = $2")
                    .bind(failures)
                    .bind(telegram_id)
                    .execute(&mut *tx)
                    .await?;
                RedeemOutcome::Unknown { left: u32::try_from(i64::from(limits.max_failures) - failures).unwrap_or(0) }
            };
            tx.commit().await?;
            return Ok(outcome);
        };
        let (code_id, dong_key): (i64, String) = (code.try_get("id")?, code.try_get("dong_key")?);
        let used_at: Option<i64> = code.try_get("used_at")?;
        if used_at.is_some() {
            return Ok(RedeemOutcome::Used);
        }
        if code.try_get::<i64, _>("expires_at")? < now {
            return Ok(RedeemOutcome::Expired);
        }
        let taken = sqlx::query("UPDATE verification_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
            .bind(now)
            .bind(code_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if taken != 1 {
            return Ok(RedeemOutcome::Used);
        }
        sqlx::query("INSERT INTO residents (telegram_id, dong_key, method, code_id, verified_at) VALUES ($1, $2, 'code', $3, $4)")
            .bind(telegram_id)
            .bind(&dong_key)
            .bind(code_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM code_attempts WHERE telegram_id = $1").bind(telegram_id).execute(&mut *tx).await?;
        subscribe_tx(&mut tx, telegram_id, "dong", &dong_key, now).await?;
        tx.commit().await?;
        self.recent.forget(&telegram_id);
        Ok(RedeemOutcome::Verified { dong_key })
    }

    /// Unbinds a verified user (an official's decision, audited); `false` if they were not verified.
    pub async fn unbind_resident(&self, telegram_id: i64, official: Option<i64>, now: i64) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let removed = sqlx::query("DELETE FROM residents WHERE telegram_id = $1")
            .bind(telegram_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if removed == 1 {
            insert_audit(&mut tx, now, official, "resident.unbind", Some(&telegram_id.to_string()), None).await?;
        }
        tx.commit().await?;
        self.recent.forget(&telegram_id);
        Ok(removed == 1)
    }

    /// The user bound to the roll entry of `phone_hash`, if any.
    pub async fn resident_by_phone(&self, phone_hash: &str) -> StoreResult<Option<i64>> {
        let row = sqlx::query(
            "SELECT r.telegram_id FROM residents r JOIN roll_entries e ON e.id = r.roll_entry_id WHERE e.phone_hash = $1",
        )
        .bind(phone_hash)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Ok(row.map(|r| r.try_get("telegram_id")).transpose()?)
    }

    /// `(kind, target)` of everything the user follows.
    pub async fn subscriptions(&self, telegram_id: i64) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT kind, target FROM subscriptions WHERE telegram_id = $1 ORDER BY kind, target")
            .bind(telegram_id)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("kind")?, r.try_get("target")?))).collect()
    }

    pub async fn unsubscribe(&self, telegram_id: i64, kind: &str, target: &str) -> StoreResult<bool> {
        let removed = sqlx::query("DELETE FROM subscriptions WHERE telegram_id = $1 AND kind = $2 AND target = $3")
            .bind(telegram_id)
            .bind(kind)
            .bind(target)
            .execute(&mut *self.write_conn().await?)
            .await?
            .rows_affected();
        Ok(removed == 1)
    }

    /// Follows something; `false` when the user already did.
    pub async fn subscribe(&self, telegram_id: i64, kind: &str, target: &str, now: i64) -> StoreResult<bool> {
        let mut conn = self.write_conn().await?;
        subscribe_tx(&mut conn, telegram_id, kind, target, now).await
    }

    /// Deletes everything personal about a user: their account, language, dialogue, verification
    /// (the roll entry is unbound; a redeemed code stays used), subscriptions and lockouts. Their
    /// proposals stay public, no longer linked to them.
    pub async fn forget_user(&self, telegram_id: i64, now: i64) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        // Messages to them may carry their proposals' titles; what was sent is no longer needed.
        sqlx::query("DELETE FROM outbox WHERE chat_id = $1").bind(telegram_id).execute(&mut *tx).await?;
        for table in ["dialogues", "residents", "subscriptions", "code_attempts", "facilitators"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE telegram_id = $1"))
                .bind(telegram_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE proposals SET proposer_id = NULL WHERE proposer_id = $1")
            .bind(telegram_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE proposal_history SET actor_id = NULL WHERE actor_id = $1")
            .bind(telegram_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM users WHERE telegram_id = $1").bind(telegram_id).execute(&mut *tx).await?;
        // The audit line says that someone was forgotten, not who.
        insert_audit(&mut tx, now, None, "user.forget", None, None).await?;
        tx.commit().await?;
        self.recent.forget(&telegram_id);
        Ok(())
    }
}

pub(super) async fn subscribe_tx(
    conn: &mut sqlx::AnyConnection,
    telegram_id: i64,
    kind: &str,
    target: &str,
    now: i64,
) -> StoreResult<bool> {
    let added = sqlx::query(
        "INSERT INTO subscriptions (telegram_id, kind, target, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(telegram_id)
    .bind(kind)
    .bind(target)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(added == 1)
}

/// A user's name to the ballot box and their dong, from a row with the residency's `dong_key`,
/// `roll_entry_id` and `code_id` (all null for someone not verified).
pub(super) fn voter_of(telegram_id: i64, row: &AnyRow) -> StoreResult<Option<(String, String)>> {
    let dong: Option<String> = row.try_get("dong_key")?;
    dong.map(|dong| Ok((voter_name(telegram_id, row)?, dong))).transpose()
}

/// A resident's name to the ballot box, from a row with their `roll_entry_id` and `code_id`.
fn voter_name(telegram_id: i64, row: &AnyRow) -> StoreResult<String> {
    let (roll, code): (Option<i64>, Option<i64>) = (row.try_get("roll_entry_id")?, row.try_get("code_id")?);
    match (roll, code) {
        (Some(entry), _) => Ok(format!("roll:{entry}")),
        (None, Some(code)) => Ok(format!("code:{code}")),
        (None, None) => Err(super::StoreError::Corrupt(format!("resident {telegram_id} has no roll entry or code"))),
    }
}
