//! Facilitators, Budget School course completions and the residents' PB committee. Every change
//! is audited; appointments tell the new members in the same transaction. `by` is the official
//! acting, `None` for the command line (stored as 0 where the column needs a value).

use std::collections::BTreeMap;

use sqlx::Row;

use super::{
    Store, StoreError, StoreResult, insert_audit,
    outbox::{Pushes, queue_pushes_tx},
};
use crate::domain::Course;

/// One Budget School completion to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub telegram_id: i64,
    pub course: Course,
    /// `YYYY-MM-DD`.
    pub completed_on: String,
}

/// What the store knows of a possible committee member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitteeCandidate {
    pub telegram_id: i64,
    /// The dong of a verified resident; `None` when not verified.
    pub dong_key: Option<String>,
    pub courses: Vec<Course>,
    /// Meetings of the cycle they were checked in at.
    pub attended: i64,
    pub member: bool,
}

/// What the store keeps of a resident's part in meetings and Budget School (for `/mydata`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MeetingRecord {
    /// Meetings answered (newest first) and whether the answer was "going".
    pub answers: Vec<(super::Meeting, bool)>,
    pub attended: Vec<super::Meeting>,
    /// Courses with the day each was completed.
    pub courses: Vec<(Course, String)>,
    pub facilitator: bool,
    /// Budget years whose committee they sit on.
    pub committees: Vec<i32>,
}

/// What became of an appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppointOutcome {
    /// How many were newly appointed, and the committee's size now.
    Appointed { added: usize, size: usize },
    /// The committee would pass its maximum; nothing was changed.
    TooLarge { would_have: usize },
}

impl Store {
    /// Grants the facilitator role and queues `pushes` (telling them); `false` (and nothing
    /// queued) when they already had it.
    pub async fn grant_facilitator(
        &self,
        telegram_id: i64,
        by: Option<i64>,
        pushes: &Pushes,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let granted = sqlx::query(
            "INSERT INTO facilitators (telegram_id, granted_by, granted_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(telegram_id)
        .bind(by.unwrap_or(0))
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if granted == 1 {
            insert_audit(&mut tx, now, by, "facilitator.grant", Some(&telegram_id.to_string()), None).await?;
            queue_pushes_tx(&mut tx, pushes, now).await?;
        }
        tx.commit().await?;
        Ok(granted == 1)
    }

    /// Revokes the facilitator role; `false` when they did not have it.
    pub async fn revoke_facilitator(&self, telegram_id: i64, by: Option<i64>, now: i64) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let revoked = sqlx::query("DELETE FROM facilitators WHERE telegram_id = $1")
            .bind(telegram_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if revoked == 1 {
            insert_audit(&mut tx, now, by, "facilitator.revoke", Some(&telegram_id.to_string()), None).await?;
        }
        tx.commit().await?;
        Ok(revoked == 1)
    }

    pub async fn is_facilitator(&self, telegram_id: i64) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 AS yes FROM facilitators WHERE telegram_id = $1")
            .bind(telegram_id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.is_some())
    }

    /// Facilitators with when they were granted the role.
    pub async fn facilitators(&self) -> StoreResult<Vec<(i64, i64)>> {
        let rows = sqlx::query("SELECT telegram_id, granted_at FROM facilitators ORDER BY granted_at, telegram_id")
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("telegram_id")?, r.try_get("granted_at")?))).collect()
    }

    /// Telegram users among `ids` the bot has met (course completions and appointments need one).
    pub async fn known_users(&self, ids: &[i64]) -> StoreResult<Vec<i64>> {
        let mut known = Vec::new();
        for chunk in ids.chunks(500) {
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let rows = sqlx::query(&format!("SELECT telegram_id FROM users WHERE telegram_id IN ({list})"))
                .fetch_all(&mut *self.conn().await?)
                .await?;
            for row in rows {
                known.push(row.try_get("telegram_id")?);
            }
        }
        Ok(known)
    }

    /// Records course completions, all or none (a later date replaces an earlier one), audited.
    pub async fn record_completions(&self, completions: &[Completion], by: Option<i64>, now: i64) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        let mut recorded = 0;
        for c in completions {
            recorded += sqlx::query(
                "INSERT INTO course_completions (telegram_id, course, completed_on, recorded_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (telegram_id, course) DO UPDATE SET completed_on = excluded.completed_on,
                   recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
            )
            .bind(c.telegram_id)
            .bind(c.course.as_str())
            .bind(&c.completed_on)
            .bind(by.unwrap_or(0))
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        let detail = serde_json::json!({ "completions": completions.len() }).to_string();
        insert_audit(&mut tx, now, by, "courses.record", None, Some(&detail)).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    /// Everyone who is verified or finished a course, with what eligibility is judged on.
    pub async fn committee_candidates(&self, cycle_id: i64) -> StoreResult<Vec<CommitteeCandidate>> {
        let people = sqlx::query(
            "SELECT u.telegram_id, r.dong_key,
               (SELECT COUNT(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id
                WHERE a.telegram_id = u.telegram_id AND m.cycle_id = $1) AS attended,
               (SELECT COUNT(*) FROM committee_members c WHERE c.telegram_id = u.telegram_id AND c.cycle_id = $1)
                 AS member
             FROM users u LEFT JOIN residents r ON r.telegram_id = u.telegram_id
             WHERE r.telegram_id IS NOT NULL
                OR EXISTS (SELECT 1 FROM course_completions c WHERE c.telegram_id = u.telegram_id)
             ORDER BY u.telegram_id",
        )
        .bind(cycle_id)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let completions =
            sqlx::query("SELECT telegram_id, course FROM course_completions ORDER BY telegram_id, course")
                .fetch_all(&mut *self.conn().await?)
                .await?;
        let mut courses: BTreeMap<i64, Vec<Course>> = BTreeMap::new();
        for row in &completions {
            let course: String = row.try_get("course")?;
            courses.entry(row.try_get("telegram_id")?).or_default().push(course.parse().map_err(StoreError::Corrupt)?);
        }
        people
            .iter()
            .map(|r| {
                let telegram_id: i64 = r.try_get("telegram_id")?;
                Ok(CommitteeCandidate {
                    telegram_id,
                    dong_key: r.try_get("dong_key")?,
                    courses: courses.remove(&telegram_id).unwrap_or_default(),
                    attended: r.try_get("attended")?,
                    member: r.try_get::<i64, _>("member")? > 0,
                })
            })
            .collect()
    }

    /// Appoints `members` to the cycle's committee (those already on it are skipped) unless it
    /// would pass `max`, queues `pushes` (telling the new members) and audits, in one transaction.
    pub async fn appoint_committee(
        &self,
        cycle_id: i64,
        members: &[i64],
        max: u32,
        by: Option<i64>,
        pushes: impl FnOnce(&[i64]) -> Pushes,
        now: i64,
    ) -> StoreResult<AppointOutcome> {
        let mut tx = self.write_tx().await?;
        let sitting: Vec<i64> = sqlx::query("SELECT telegram_id FROM committee_members WHERE cycle_id = $1")
            .bind(cycle_id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("telegram_id"))
            .collect::<Result<_, _>>()?;
        let mut new: Vec<i64> = members.iter().copied().filter(|m| !sitting.contains(m)).collect();
        new.sort_unstable();
        new.dedup();
        let would_have = sitting.len() + new.len();
        if would_have > max as usize {
            return Ok(AppointOutcome::TooLarge { would_have });
        }
        for member in &new {
            sqlx::query(
                "INSERT INTO committee_members (cycle_id, telegram_id, appointed_by, appointed_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(cycle_id)
            .bind(*member)
            .bind(by.unwrap_or(0))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let detail = serde_json::json!({ "appointed": new, "size": would_have }).to_string();
        insert_audit(&mut tx, now, by, "committee.appoint", Some(&cycle_id.to_string()), Some(&detail)).await?;
        queue_pushes_tx(&mut tx, &pushes(&new), now).await?;
        tx.commit().await?;
        Ok(AppointOutcome::Appointed { added: new.len(), size: would_have })
    }

    /// Everything kept about one resident's meetings, courses and roles.
    pub async fn meeting_record(&self, telegram_id: i64) -> StoreResult<MeetingRecord> {
        let mut record = MeetingRecord::default();
        for row in
            sqlx::query("SELECT meeting_id, going FROM meeting_rsvps WHERE telegram_id = $1 ORDER BY answered_at DESC")
                .bind(telegram_id)
                .fetch_all(&mut *self.conn().await?)
                .await?
        {
            if let Some(meeting) = self.meeting(row.try_get("meeting_id")?).await? {
                record.answers.push((meeting, row.try_get::<i64, _>("going")? == 1));
            }
        }
        for row in sqlx::query("SELECT meeting_id FROM attendance WHERE telegram_id = $1 ORDER BY checked_in_at DESC")
            .bind(telegram_id)
            .fetch_all(&mut *self.conn().await?)
            .await?
        {
            if let Some(meeting) = self.meeting(row.try_get("meeting_id")?).await? {
                record.attended.push(meeting);
            }
        }
        for row in sqlx::query(
            "SELECT course, completed_on FROM course_completions WHERE telegram_id = $1 ORDER BY completed_on",
        )
        .bind(telegram_id)
        .fetch_all(&mut *self.conn().await?)
        .await?
        {
            let course: String = row.try_get("course")?;
            record.courses.push((course.parse().map_err(StoreError::Corrupt)?, row.try_get("completed_on")?));
        }
        record.facilitator = self.is_facilitator(telegram_id).await?;
        for row in sqlx::query(
            "SELECT c.year FROM committee_members m JOIN cycles c ON c.id = m.cycle_id WHERE m.telegram_id = $1
             ORDER BY c.year",
        )
        .bind(telegram_id)
        .fetch_all(&mut *self.conn().await?)
        .await?
        {
            record.committees.push(i32::try_from(row.try_get::<i64, _>("year")?).unwrap_or_default());
        }
        Ok(record)
    }

    /// The cycle's committee members who can be reached, with their language (`ko`/`en`) if known.
    pub async fn committee_contacts(&self, cycle_id: i64) -> StoreResult<Vec<(i64, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT m.telegram_id, u.language FROM committee_members m
             JOIN users u ON u.telegram_id = m.telegram_id AND u.blocked_at IS NULL
             WHERE m.cycle_id = $1 ORDER BY m.telegram_id",
        )
        .bind(cycle_id)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("telegram_id")?, r.try_get("language")?))).collect()
    }

    /// The officials who use the bot (and have not blocked it), with their language.
    pub async fn official_contacts(&self) -> StoreResult<Vec<(i64, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT o.telegram_id, u.language FROM officials o
             JOIN users u ON u.telegram_id = o.telegram_id AND u.blocked_at IS NULL
             ORDER BY o.telegram_id",
        )
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("telegram_id")?, r.try_get("language")?))).collect()
    }

    /// Telegram ids of the cycle's committee.
    pub async fn committee_members(&self, cycle_id: i64) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query("SELECT telegram_id FROM committee_members WHERE cycle_id = $1 ORDER BY telegram_id")
            .bind(cycle_id)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("telegram_id")?)).collect()
    }
}
