//! Meetings: scheduling, moving and cancelling them (each announced through the outbox in the
//! same transaction), listing what is coming, and residents' answers.

use sqlx::{Row, any::AnyRow};

use super::{
    Store, StoreError, StoreResult, insert_audit,
    outbox::{Pushes, queue_pushes_tx},
};
use crate::domain::meeting::Stage;

/// A meeting as stored (times in UTC seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub id: i64,
    pub cycle_id: i64,
    pub area_key: String,
    pub stage: Stage,
    pub starts_at: i64,
    pub ends_at: i64,
    pub venue_ko: String,
    pub venue_en: Option<String>,
    pub notes: Option<String>,
    pub capacity: Option<i64>,
    /// Raised at every move or cancellation.
    pub sequence: i64,
    pub cancelled_at: Option<i64>,
}

/// A meeting to schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    pub area_key: String,
    pub stage: Stage,
    pub starts_at: i64,
    pub ends_at: i64,
    pub venue_ko: String,
    pub venue_en: Option<String>,
    pub notes: Option<String>,
    pub capacity: Option<i64>,
}

/// What became of a resident's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsvpOutcome {
    Recorded,
    NotFound,
    Cancelled,
    /// The meeting has begun or is over.
    Past,
    /// Everyone who may come has said so.
    Full,
}

/// What became of a move or cancellation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// The meeting before and after.
    Changed(Box<Meeting>, Box<Meeting>),
    NotFound,
    AlreadyCancelled,
    /// The meeting changed since the official saw it (another move or a cancellation).
    Stale,
}

const COLUMNS: &str = "id, cycle_id, area_key, stage, starts_at, ends_at, venue_ko, venue_en, notes, capacity,
    sequence, cancelled_at";

/// [`COLUMNS`] of the meetings table joined as `m`.
fn joined_columns() -> String {
    COLUMNS.split(',').map(|c| format!("m.{}", c.trim())).collect::<Vec<_>>().join(", ")
}

/// A resident going to a meeting that starts soon, with the reminders already queued for it
/// (at the meeting's present sequence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderDue {
    pub meeting: Meeting,
    pub telegram_id: i64,
    /// `ko` / `en` as last known, if any.
    pub language: Option<String>,
    pub answered_at: i64,
    pub queued_minutes: Vec<i64>,
}

/// A check-in window of a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkin {
    pub id: i64,
    pub meeting_id: i64,
    pub code: String,
    pub opened_by: i64,
    pub closes_at: i64,
}

/// What became of opening check-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenCheckin {
    Opened(Checkin),
    /// Check-in was already open; this is its code.
    AlreadyOpen(Checkin),
    NotFound,
    Cancelled,
    /// Another check-in already uses this code; try another.
    CodeTaken,
}

/// What became of a resident's check-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckInOutcome {
    Recorded(Box<Meeting>),
    /// They were already recorded at this meeting.
    Already(Box<Meeting>),
    /// The code is real but its check-in has closed.
    Closed(Box<Meeting>),
    Cancelled,
    /// No check-in has this code.
    Unknown,
}

fn meeting_from_row(row: &AnyRow) -> StoreResult<Meeting> {
    let stage: String = row.try_get("stage")?;
    Ok(Meeting {
        id: row.try_get("id")?,
        cycle_id: row.try_get("cycle_id")?,
        area_key: row.try_get("area_key")?,
        stage: stage.parse().map_err(StoreError::Corrupt)?,
        starts_at: row.try_get("starts_at")?,
        ends_at: row.try_get("ends_at")?,
        venue_ko: row.try_get("venue_ko")?,
        venue_en: row.try_get("venue_en")?,
        notes: row.try_get("notes")?,
        capacity: row.try_get::<Option<i64>, _>("capacity")?,
        sequence: row.try_get("sequence")?,
        cancelled_at: row.try_get("cancelled_at")?,
    })
}

async fn fetch_meeting(conn: &mut sqlx::AnyConnection, id: i64) -> StoreResult<Option<Meeting>> {
    let row =
        sqlx::query(&format!("SELECT {COLUMNS} FROM meetings WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    row.map(|r| meeting_from_row(&r)).transpose()
}

impl Store {
    /// Schedules a meeting and queues what announces it (built from the stored meeting, so it
    /// can name it), with an audit line, in one transaction.
    pub async fn create_meeting(
        &self,
        cycle_id: i64,
        meeting: &NewMeeting,
        official: Option<i64>,
        announce: impl Fn(&Meeting) -> Pushes,
        now: i64,
    ) -> StoreResult<Meeting> {
        let (mut created, _) =
            self.create_meetings(cycle_id, std::slice::from_ref(meeting), official, announce, now).await?;
        created.pop().ok_or_else(|| StoreError::Corrupt("a meeting was not stored".into()))
    }

    /// Schedules several meetings (a schedule file) and their announcements: all or none.
    /// Returns the meetings and how many announcements were queued.
    pub async fn create_meetings(
        &self,
        cycle_id: i64,
        meetings: &[NewMeeting],
        official: Option<i64>,
        announce: impl Fn(&Meeting) -> Pushes,
        now: i64,
    ) -> StoreResult<(Vec<Meeting>, i64)> {
        let mut tx = self.write_tx().await?;
        let mut stored = Vec::with_capacity(meetings.len());
        let mut announced = 0;
        for meeting in meetings {
            let row = sqlx::query(&format!(
                "INSERT INTO meetings (cycle_id, area_key, stage, starts_at, ends_at, venue_ko, venue_en, notes, capacity,
                   created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {COLUMNS}"
            ))
            .bind(cycle_id)
            .bind(&meeting.area_key)
            .bind(meeting.stage.as_str())
            .bind(meeting.starts_at)
            .bind(meeting.ends_at)
            .bind(&meeting.venue_ko)
            .bind(meeting.venue_en.as_deref())
            .bind(meeting.notes.as_deref())
            .bind(meeting.capacity)
            .bind(official)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let created = meeting_from_row(&row)?;
            let detail = serde_json::json!({ "area": created.area_key, "stage": created.stage.as_str(),
                "starts_at": created.starts_at, "ends_at": created.ends_at })
            .to_string();
            insert_audit(&mut tx, now, official, "meeting.create", Some(&created.id.to_string()), Some(&detail))
                .await?;
            announced += queue_pushes_tx(&mut tx, &announce(&created), now).await?;
            stored.push(created);
        }
        tx.commit().await?;
        Ok((stored, announced))
    }

    /// Moves a meeting to new times (raising its sequence) and queues the notices built from the
    /// meeting before and after, in one transaction. A cancelled meeting cannot be moved, and
    /// nothing changes unless the meeting is still at `sequence` (the version the official saw).
    pub async fn move_meeting(
        &self,
        id: i64,
        sequence: i64,
        (starts_at, ends_at): (i64, i64),
        official: Option<i64>,
        notify: impl FnOnce(&Meeting, &Meeting) -> Pushes,
        now: i64,
    ) -> StoreResult<ChangeOutcome> {
        let update = "UPDATE meetings SET starts_at = $2, ends_at = $3, sequence = sequence + 1, updated_at = $4
                      WHERE id = $1 AND cancelled_at IS NULL";
        self.change_meeting(id, sequence, official, "meeting.move", notify, now, (update, &[starts_at, ends_at, now]))
            .await
    }

    /// Cancels a meeting at `sequence` (raising it) and queues the notices, in one transaction.
    pub async fn cancel_meeting(
        &self,
        id: i64,
        sequence: i64,
        official: Option<i64>,
        notify: impl FnOnce(&Meeting, &Meeting) -> Pushes,
        now: i64,
    ) -> StoreResult<ChangeOutcome> {
        let update = "UPDATE meetings SET cancelled_at = $2, sequence = sequence + 1, updated_at = $2
                      WHERE id = $1 AND cancelled_at IS NULL";
        self.change_meeting(id, sequence, official, "meeting.cancel", notify, now, (update, &[now])).await
    }

    /// Runs the statement `update` (`$1` is the meeting's id, `$2`… its `values`; it must spare a
    /// cancelled meeting) with its audit line and notices, in one transaction.
    #[allow(clippy::too_many_arguments)]
    async fn change_meeting(
        &self,
        id: i64,
        sequence: i64,
        official: Option<i64>,
        action: &str,
        notify: impl FnOnce(&Meeting, &Meeting) -> Pushes,
        now: i64,
        (update, values): (&str, &[i64]),
    ) -> StoreResult<ChangeOutcome> {
        let mut tx = self.write_tx().await?;
        let Some(before) = fetch_meeting(&mut tx, id).await? else {
            return Ok(ChangeOutcome::NotFound);
        };
        if before.cancelled_at.is_some() {
            return Ok(ChangeOutcome::AlreadyCancelled);
        }
        if before.sequence != sequence {
            return Ok(ChangeOutcome::Stale);
        }
        let update = format!("{update} AND sequence = {sequence}");
        let mut query = sqlx::query(&update).bind(id);
        for value in values {
            query = query.bind(*value);
        }
        if query.execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(ChangeOutcome::Stale);
        }
        let after =
            fetch_meeting(&mut tx, id).await?.ok_or_else(|| StoreError::Corrupt(format!("meeting {id} vanished")))?;
        let detail = serde_json::json!({ "starts_at": after.starts_at, "ends_at": after.ends_at,
            "sequence": after.sequence })
        .to_string();
        insert_audit(&mut tx, now, official, action, Some(&id.to_string()), Some(&detail)).await?;
        queue_pushes_tx(&mut tx, &notify(&before, &after), now).await?;
        tx.commit().await?;
        Ok(ChangeOutcome::Changed(Box::new(before), Box::new(after)))
    }

    pub async fn meeting(&self, id: i64) -> StoreResult<Option<Meeting>> {
        fetch_meeting(&mut *self.conn().await?, id).await
    }

    /// Meetings not yet over and not cancelled, soonest first.
    pub async fn upcoming_meetings(&self, now: i64, limit: i64) -> StoreResult<Vec<Meeting>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM meetings WHERE ends_at > $1 AND cancelled_at IS NULL ORDER BY starts_at, id LIMIT $2"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter().map(meeting_from_row).collect()
    }

    /// Records a resident's answer (the latest counts). "Going" is refused once the meeting is
    /// full; "not going" is always taken while the meeting is ahead.
    pub async fn rsvp(&self, meeting_id: i64, telegram_id: i64, going: bool, now: i64) -> StoreResult<RsvpOutcome> {
        let mut tx = self.write_tx().await?;
        let Some(meeting) = fetch_meeting(&mut tx, meeting_id).await? else {
            return Ok(RsvpOutcome::NotFound);
        };
        if meeting.cancelled_at.is_some() {
            return Ok(RsvpOutcome::Cancelled);
        }
        if meeting.starts_at <= now {
            return Ok(RsvpOutcome::Past);
        }
        if going && let Some(capacity) = meeting.capacity {
            let taken: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM meeting_rsvps WHERE meeting_id = $1 AND going = 1 AND telegram_id <> $2",
            )
            .bind(meeting_id)
            .bind(telegram_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
            if taken >= capacity {
                return Ok(RsvpOutcome::Full);
            }
        }
        sqlx::query(
            "INSERT INTO meeting_rsvps (meeting_id, telegram_id, going, answered_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (meeting_id, telegram_id) DO UPDATE SET going = excluded.going, answered_at = excluded.answered_at",
        )
        .bind(meeting_id)
        .bind(telegram_id)
        .bind(i64::from(going))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(RsvpOutcome::Recorded)
    }

    /// A resident's answer: going, not going, or none.
    pub async fn my_rsvp(&self, meeting_id: i64, telegram_id: i64) -> StoreResult<Option<bool>> {
        let row = sqlx::query("SELECT going FROM meeting_rsvps WHERE meeting_id = $1 AND telegram_id = $2")
            .bind(meeting_id)
            .bind(telegram_id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.map(|r| r.try_get::<i64, _>("going")).transpose()?.map(|g| g == 1))
    }

    /// `(going, not going)` answers of a meeting.
    pub async fn rsvp_counts(&self, meeting_id: i64) -> StoreResult<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(going), 0) AS going, COUNT(*) AS answered FROM meeting_rsvps WHERE meeting_id = $1",
        )
        .bind(meeting_id)
        .fetch_one(&mut *self.conn().await?)
        .await?;
        let (going, answered): (i64, i64) = (row.try_get("going")?, row.try_get("answered")?);
        Ok((going, answered - going))
    }

    /// Residents going to meetings that start within `horizon` seconds after `now` (and have not
    /// started or been cancelled), with the reminders already queued for each.
    pub async fn reminders_due(&self, now: i64, horizon: i64) -> StoreResult<Vec<ReminderDue>> {
        let rows = sqlx::query(&format!(
            "SELECT {}, r.telegram_id AS going_id, r.answered_at, u.language AS user_language
             FROM meetings m
             JOIN meeting_rsvps r ON r.meeting_id = m.id AND r.going = 1
             JOIN users u ON u.telegram_id = r.telegram_id AND u.blocked_at IS NULL
             WHERE m.cancelled_at IS NULL AND m.starts_at > $1 AND m.starts_at <= $2
             ORDER BY m.starts_at, m.id, r.telegram_id",
            joined_columns()
        ))
        .bind(now)
        .bind(now + horizon)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let queued = sqlx::query(
            "SELECT q.meeting_id, q.telegram_id, q.offset_minutes FROM meeting_reminders q
             JOIN meetings m ON m.id = q.meeting_id AND m.sequence = q.sequence
             WHERE m.cancelled_at IS NULL AND m.starts_at > $1 AND m.starts_at <= $2",
        )
        .bind(now)
        .bind(now + horizon)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let mut sent: std::collections::HashMap<(i64, i64), Vec<i64>> = std::collections::HashMap::new();
        for row in &queued {
            let key = (row.try_get("meeting_id")?, row.try_get("telegram_id")?);
            sent.entry(key).or_default().push(row.try_get("offset_minutes")?);
        }
        rows.iter()
            .map(|row| {
                let meeting = meeting_from_row(row)?;
                let telegram_id: i64 = row.try_get("going_id")?;
                Ok(ReminderDue {
                    queued_minutes: sent.get(&(meeting.id, telegram_id)).cloned().unwrap_or_default(),
                    meeting,
                    telegram_id,
                    language: row.try_get("user_language")?,
                    answered_at: row.try_get("answered_at")?,
                })
            })
            .collect()
    }

    /// Records the reminders `minutes` of a meeting (at `sequence`) as queued for a resident and
    /// queues `pushes` (the reminder), in one transaction; `false` (and nothing queued) when every one of them
    /// was queued before, or the meeting moved, was cancelled, or the resident is no longer going.
    pub async fn queue_reminder(
        &self,
        meeting_id: i64,
        sequence: i64,
        telegram_id: i64,
        minutes: &[i64],
        pushes: &Pushes,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let still_going = sqlx::query(
            "SELECT 1 AS yes FROM meetings m JOIN meeting_rsvps r ON r.meeting_id = m.id
             WHERE m.id = $1 AND m.sequence = $2 AND m.cancelled_at IS NULL AND m.starts_at > $4
               AND r.telegram_id = $3 AND r.going = 1",
        )
        .bind(meeting_id)
        .bind(sequence)
        .bind(telegram_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if still_going.is_none() {
            return Ok(false);
        }
        let mut fresh = 0;
        for minute in minutes {
            fresh += sqlx::query(
                "INSERT INTO meeting_reminders (meeting_id, telegram_id, offset_minutes, sequence, queued_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(meeting_id)
            .bind(telegram_id)
            .bind(*minute)
            .bind(sequence)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        if fresh == 0 {
            return Ok(false);
        }
        queue_pushes_tx(&mut tx, pushes, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Opens check-in for a meeting until `closes_at` with `code`, audited; while one is open,
    /// opening again returns it instead.
    pub async fn open_checkin(
        &self,
        meeting_id: i64,
        opened_by: i64,
        code: &str,
        closes_at: i64,
        now: i64,
    ) -> StoreResult<OpenCheckin> {
        let mut tx = self.write_tx().await?;
        let Some(meeting) = fetch_meeting(&mut tx, meeting_id).await? else {
            return Ok(OpenCheckin::NotFound);
        };
        if meeting.cancelled_at.is_some() {
            return Ok(OpenCheckin::Cancelled);
        }
        if let Some(open) = open_checkin_tx(&mut tx, meeting_id, now).await? {
            return Ok(OpenCheckin::AlreadyOpen(open));
        }
        let taken =
            sqlx::query("SELECT 1 AS yes FROM checkins WHERE code = $1").bind(code).fetch_optional(&mut *tx).await?;
        if taken.is_some() {
            return Ok(OpenCheckin::CodeTaken);
        }
        let id: i64 = sqlx::query(
            "INSERT INTO checkins (meeting_id, code, opened_by, opened_at, closes_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id",
        )
        .bind(meeting_id)
        .bind(code)
        .bind(opened_by)
        .bind(now)
        .bind(closes_at)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        insert_audit(&mut tx, now, Some(opened_by), "checkin.open", Some(&meeting_id.to_string()), None).await?;
        tx.commit().await?;
        Ok(OpenCheckin::Opened(Checkin { id, meeting_id, code: code.to_owned(), opened_by, closes_at }))
    }

    /// The meeting's open check-in, if any.
    pub async fn open_checkin_of(&self, meeting_id: i64, now: i64) -> StoreResult<Option<Checkin>> {
        open_checkin_tx(&mut *self.conn().await?, meeting_id, now).await
    }

    /// Closes the meeting's open check-in, audited; `false` when none was open.
    pub async fn close_checkin(&self, meeting_id: i64, by: i64, now: i64) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let closed = sqlx::query(
            "UPDATE checkins SET closed_at = $2 WHERE meeting_id = $1 AND closed_at IS NULL AND closes_at > $2",
        )
        .bind(meeting_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if closed == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, now, Some(by), "checkin.close", Some(&meeting_id.to_string()), None).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records a resident as attending the meeting whose check-in has `code`.
    pub async fn check_in(&self, code: &str, telegram_id: i64, now: i64) -> StoreResult<CheckInOutcome> {
        let mut tx = self.write_tx().await?;
        let Some(row) = sqlx::query("SELECT id, meeting_id, closes_at, closed_at FROM checkins WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(CheckInOutcome::Unknown);
        };
        let (checkin_id, meeting_id): (i64, i64) = (row.try_get("id")?, row.try_get("meeting_id")?);
        let (closes_at, closed_at): (i64, Option<i64>) = (row.try_get("closes_at")?, row.try_get("closed_at")?);
        let meeting = fetch_meeting(&mut tx, meeting_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("check-in {checkin_id} of a missing meeting")))?;
        if meeting.cancelled_at.is_some() {
            return Ok(CheckInOutcome::Cancelled);
        }
        if closed_at.is_some() || closes_at <= now {
            return Ok(CheckInOutcome::Closed(Box::new(meeting)));
        }
        let recorded = sqlx::query(
            "INSERT INTO attendance (meeting_id, telegram_id, checkin_id, checked_in_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(meeting_id)
        .bind(telegram_id)
        .bind(checkin_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(if recorded == 1 {
            CheckInOutcome::Recorded(Box::new(meeting))
        } else {
            CheckInOutcome::Already(Box::new(meeting))
        })
    }

    /// How many residents were checked in at a meeting.
    pub async fn attendance_count(&self, meeting_id: i64) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM attendance WHERE meeting_id = $1")
            .bind(meeting_id)
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Meetings of the cycle, newest start first, with `(going, not going, attended)` counts.
    pub async fn meetings_with_counts(&self, cycle_id: i64) -> StoreResult<Vec<(Meeting, (i64, i64, i64))>> {
        let rows = sqlx::query(&format!(
            "SELECT {},
               (SELECT COUNT(*) FROM meeting_rsvps r WHERE r.meeting_id = m.id AND r.going = 1) AS going,
               (SELECT COUNT(*) FROM meeting_rsvps r WHERE r.meeting_id = m.id AND r.going = 0) AS not_going,
               (SELECT COUNT(*) FROM attendance a WHERE a.meeting_id = m.id) AS attended
             FROM meetings m WHERE m.cycle_id = $1 ORDER BY m.starts_at, m.id",
            joined_columns()
        ))
        .bind(cycle_id)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter()
            .map(|r| Ok((meeting_from_row(r)?, (r.try_get("going")?, r.try_get("not_going")?, r.try_get("attended")?))))
            .collect()
    }
}

async fn open_checkin_tx(conn: &mut sqlx::AnyConnection, meeting_id: i64, now: i64) -> StoreResult<Option<Checkin>> {
    let row = sqlx::query(
        "SELECT id, meeting_id, code, opened_by, closes_at FROM checkins
         WHERE meeting_id = $1 AND closed_at IS NULL AND closes_at > $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(meeting_id)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(Checkin {
            id: r.try_get("id")?,
            meeting_id: r.try_get("meeting_id")?,
            code: r.try_get("code")?,
            opened_by: r.try_get("opened_by")?,
            closes_at: r.try_get("closes_at")?,
        })
    })
    .transpose()
}
