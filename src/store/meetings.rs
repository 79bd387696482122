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
}

const COLUMNS: &str = "id, cycle_id, area_key, stage, starts_at, ends_at, venue_ko, venue_en, notes, capacity,
    sequence, cancelled_at";

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
        let mut tx = self.pool().begin().await?;
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
    /// meeting before and after, in one transaction. A cancelled meeting cannot be moved.
    pub async fn move_meeting(
        &self,
        id: i64,
        starts_at: i64,
        ends_at: i64,
        official: Option<i64>,
        notify: impl FnOnce(&Meeting, &Meeting) -> Pushes,
        now: i64,
    ) -> StoreResult<ChangeOutcome> {
        let update = "UPDATE meetings SET starts_at = $2, ends_at = $3, sequence = sequence + 1, updated_at = $4
                      WHERE id = $1 AND cancelled_at IS NULL";
        self.change_meeting(id, official, "meeting.move", notify, now, (update, &[starts_at, ends_at, now])).await
    }

    /// Cancels a meeting (raising its sequence) and queues the notices, in one transaction.
    pub async fn cancel_meeting(
        &self,
        id: i64,
        official: Option<i64>,
        notify: impl FnOnce(&Meeting, &Meeting) -> Pushes,
        now: i64,
    ) -> StoreResult<ChangeOutcome> {
        let update = "UPDATE meetings SET cancelled_at = $2, sequence = sequence + 1, updated_at = $2
                      WHERE id = $1 AND cancelled_at IS NULL";
        self.change_meeting(id, official, "meeting.cancel", notify, now, (update, &[now])).await
    }

    /// Runs the statement `update` (`$1` is the meeting's id, `$2`… its `values`; it must spare a
    /// cancelled meeting) with its audit line and notices, in one transaction.
    async fn change_meeting(
        &self,
        id: i64,
        official: Option<i64>,
        action: &str,
        notify: impl FnOnce(&Meeting, &Meeting) -> Pushes,
        now: i64,
        (update, values): (&str, &[i64]),
    ) -> StoreResult<ChangeOutcome> {
        let mut tx = self.pool().begin().await?;
        let Some(before) = fetch_meeting(&mut tx, id).await? else {
            return Ok(ChangeOutcome::NotFound);
        };
        let mut query = sqlx::query(update).bind(id);
        for value in values {
            query = query.bind(*value);
        }
        if query.execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(ChangeOutcome::AlreadyCancelled);
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
        fetch_meeting(&mut *self.pool().acquire().await?, id).await
    }

    /// Meetings not yet over and not cancelled, soonest first.
    pub async fn upcoming_meetings(&self, now: i64, limit: i64) -> StoreResult<Vec<Meeting>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM meetings WHERE ends_at > $1 AND cancelled_at IS NULL ORDER BY starts_at, id LIMIT $2"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(meeting_from_row).collect()
    }

    /// Records a resident's answer (the latest counts). "Going" is refused once the meeting is
    /// full; "not going" is always taken while the meeting is ahead.
    pub async fn rsvp(&self, meeting_id: i64, telegram_id: i64, going: bool, now: i64) -> StoreResult<RsvpOutcome> {
        let mut tx = self.pool().begin().await?;
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
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get::<i64, _>("going")).transpose()?.map(|g| g == 1))
    }

    /// `(going, not going)` answers of a meeting.
    pub async fn rsvp_counts(&self, meeting_id: i64) -> StoreResult<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(going), 0) AS going, COUNT(*) AS answered FROM meeting_rsvps WHERE meeting_id = $1",
        )
        .bind(meeting_id)
        .fetch_one(self.pool())
        .await?;
        let (going, answered): (i64, i64) = (row.try_get("going")?, row.try_get("answered")?);
        Ok((going, answered - going))
    }
}
