//! Execution cards (DESIGN §8): opened when the outcome that funds a project is published,
//! updated by officials (each update audited, its pushes queued in the same transaction).

use sqlx::{AnyConnection, Row};

use super::{
    Store, StoreError, StoreResult, insert_audit,
    outbox::{Pushes, queue_pushes_tx},
    proposals::won,
};
use crate::domain::{
    execution::{Card, Milestone, Status, Update},
    outcome::Outcome,
};

/// One posted update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateRecord {
    pub id: i64,
    pub status: Status,
    pub progress: u8,
    pub spent: crate::domain::Won,
    pub text_ko: String,
    pub text_en: Option<String>,
    pub reason: Option<String>,
    pub photo_file_id: Option<String>,
    pub posted_at: i64,
}

/// What posting an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostOutcome {
    /// Posted; the card as it now stands.
    Posted(Card),
    /// The card changed since it was read (another official, an import): read it again.
    Stale,
    /// The project has no card: it was not funded (or is unknown).
    NotFunded,
}

/// Opens a card for every funded project of a published final outcome (inside its
/// transaction). A project this outcome does not fund loses a card an earlier publication
/// opened (the residents' round, before the committee's decision), unless it has updates.
pub(crate) async fn open_cards_tx(
    conn: &mut AnyConnection,
    round: i64,
    outcome: &Outcome,
    now: i64,
) -> StoreResult<()> {
    for project in outcome.projects.iter().filter(|p| !p.funded) {
        sqlx::query(
            "DELETE FROM execution_cards WHERE proposal_id = $1
             AND NOT EXISTS (SELECT 1 FROM execution_updates u WHERE u.proposal_id = $1)",
        )
        .bind(project.id)
        .execute(&mut *conn)
        .await?;
    }
    for project in outcome.projects.iter().filter(|p| p.funded) {
        sqlx::query(
            "INSERT INTO execution_cards (proposal_id, round_id, approved, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (proposal_id) DO NOTHING",
        )
        .bind(project.id)
        .bind(round)
        .bind(project.cost.to_i64())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The `status` and `progress` columns of a card or an update.
fn state_of(row: &sqlx::any::AnyRow) -> StoreResult<(Status, u8)> {
    let status: String = row.try_get("status")?;
    let progress: i64 = row.try_get("progress")?;
    Ok((
        status.parse().map_err(StoreError::Corrupt)?,
        u8::try_from(progress).map_err(|_| StoreError::Corrupt(format!("progress {progress}")))?,
    ))
}

fn update_of(r: &sqlx::any::AnyRow) -> StoreResult<UpdateRecord> {
    let (status, progress) = state_of(r)?;
    Ok(UpdateRecord {
        id: r.try_get("id")?,
        status,
        progress,
        spent: won("spent", r.try_get("spent")?)?,
        text_ko: r.try_get("text_ko")?,
        text_en: r.try_get("text_en")?,
        reason: r.try_get("reason")?,
        photo_file_id: r.try_get("photo_file_id")?,
        posted_at: r.try_get("posted_at")?,
    })
}

fn card_of(row: &sqlx::any::AnyRow) -> StoreResult<Card> {
    let (status, progress) = state_of(row)?;
    Ok(Card {
        proposal_id: row.try_get("proposal_id")?,
        department: row.try_get("department")?,
        approved: won("approved", row.try_get("approved")?)?,
        spent: won("spent", row.try_get("spent")?)?,
        progress,
        status,
        note: row.try_get("note")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    /// A project's execution card, if it was funded.
    pub async fn execution_card(&self, proposal: i64) -> StoreResult<Option<Card>> {
        card_tx(&mut *self.conn().await?, proposal).await
    }

    /// The execution cards of a cycle's projects with their titles and areas, by project number.
    pub async fn execution_cards(&self, cycle: i64) -> StoreResult<Vec<(Card, String, String)>> {
        self.cards_where("p.cycle_id = $1", cycle).await
    }

    /// Every execution card opened before `until`, with its project's title and area, by
    /// project number.
    pub async fn cards_opened_before(&self, until: i64) -> StoreResult<Vec<(Card, String, String)>> {
        self.cards_where("c.created_at < $1", until).await
    }

    /// Cards with their project's title and area where `condition` holds of `value` (`$1`).
    async fn cards_where(&self, condition: &str, value: i64) -> StoreResult<Vec<(Card, String, String)>> {
        let statement = format!(
            "SELECT c.proposal_id, c.department, c.approved, c.spent, c.progress, c.status, c.note, c.updated_at,
                    p.title, p.area_key
             FROM execution_cards c JOIN proposals p ON p.id = c.proposal_id
             WHERE {condition} ORDER BY c.proposal_id"
        );
        let rows = sqlx::query(&statement).bind(value).fetch_all(&mut *self.conn().await?).await?;
        rows.iter().map(|r| Ok((card_of(r)?, r.try_get("title")?, r.try_get("area_key")?))).collect()
    }

    /// Every update posted before `until`, by project and in order.
    pub async fn updates_before(&self, until: i64) -> StoreResult<Vec<(i64, UpdateRecord)>> {
        let rows = sqlx::query(
            "SELECT id, proposal_id, status, progress, spent, text_ko, text_en, reason, photo_file_id, posted_at
             FROM execution_updates WHERE posted_at < $1 ORDER BY proposal_id, id",
        )
        .bind(until)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("proposal_id")?, update_of(r)?))).collect()
    }

    /// A project's latest updates, newest first.
    pub async fn execution_updates(&self, proposal: i64, limit: i64) -> StoreResult<Vec<UpdateRecord>> {
        let rows = sqlx::query(
            "SELECT id, status, progress, spent, text_ko, text_en, reason, photo_file_id, posted_at
             FROM execution_updates WHERE proposal_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(proposal)
        .bind(limit)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter().map(update_of).collect()
    }

    /// Posts `update` to the card as it was read (`card`, checked with
    /// `domain::execution::check` by the caller), queuing `pushes` and auditing it, all in one
    /// transaction. `Stale` when the card changed in between.
    pub async fn post_update(
        &self,
        card: &Card,
        update: &Update,
        by: Option<i64>,
        pushes: &Pushes,
        now: i64,
    ) -> StoreResult<PostOutcome> {
        let mut tx = self.write_tx().await?;
        let outcome = post_tx(&mut tx, card, update, by, pushes, now).await?;
        if matches!(outcome, PostOutcome::Posted(_)) {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    /// Posts several updates in one transaction, in order (a project may appear more than
    /// once, each card as the previous update leaves it): all of them, or none — then the
    /// position of the first that could not be posted and why.
    pub async fn post_updates(
        &self,
        updates: &[(Card, Update, Pushes)],
        by: Option<i64>,
        now: i64,
    ) -> StoreResult<Result<usize, (usize, PostOutcome)>> {
        let mut tx = self.write_tx().await?;
        for (i, (card, update, pushes)) in updates.iter().enumerate() {
            let outcome = post_tx(&mut tx, card, update, by, pushes, now).await?;
            if !matches!(outcome, PostOutcome::Posted(_)) {
                return Ok(Err((i, outcome)));
            }
        }
        tx.commit().await?;
        Ok(Ok(updates.len()))
    }

    /// The published outcome that last decided a project (the latest publication of a round it
    /// was on), with that round's id.
    pub async fn project_outcome(&self, proposal: i64) -> StoreResult<Option<(i64, Outcome)>> {
        let row = sqlx::query(
            "SELECT p.round_id FROM round_publications p
             JOIN round_projects rp ON rp.round_id = p.round_id AND rp.proposal_id = $1
             ORDER BY p.published_at DESC, p.round_id DESC LIMIT 1",
        )
        .bind(proposal)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let round: i64 = row.try_get("round_id")?;
        Ok(self.publication(round).await?.and_then(|p| p.outcome).map(|o| (round, o)))
    }
}

/// One update, inside the caller's transaction.
async fn post_tx(
    tx: &mut AnyConnection,
    card: &Card,
    update: &Update,
    by: Option<i64>,
    pushes: &Pushes,
    now: i64,
) -> StoreResult<PostOutcome> {
    let reason = update.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let department = update.department.as_deref().map(str::trim).filter(|d| !d.is_empty());
    let changed = sqlx::query(
        "UPDATE execution_cards
         SET department = COALESCE($1, department), spent = $2, progress = $3, status = $4,
             note = COALESCE($5, note), updated_at = $6
         WHERE proposal_id = $7 AND updated_at = $8 AND progress = $9 AND spent = $10 AND status = $11",
    )
    .bind(department)
    .bind(update.spent.to_i64())
    .bind(i64::from(update.progress))
    .bind(update.status.as_str())
    .bind(reason)
    .bind(now)
    .bind(card.proposal_id)
    .bind(card.updated_at)
    .bind(i64::from(card.progress))
    .bind(card.spent.to_i64())
    .bind(card.status.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        let exists = sqlx::query("SELECT 1 FROM execution_cards WHERE proposal_id = $1")
            .bind(card.proposal_id)
            .fetch_optional(&mut *tx)
            .await?;
        return Ok(if exists.is_some() { PostOutcome::Stale } else { PostOutcome::NotFunded });
    }
    sqlx::query(
        "INSERT INTO execution_updates
           (proposal_id, status, progress, spent, text_ko, text_en, reason, photo_file_id, posted_by, posted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(card.proposal_id)
    .bind(update.status.as_str())
    .bind(i64::from(update.progress))
    .bind(update.spent.to_i64())
    .bind(update.text_ko.trim())
    .bind(update.text_en.as_deref().map(str::trim).filter(|t| !t.is_empty()))
    .bind(reason)
    .bind(update.photo.as_deref())
    .bind(by)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let detail = serde_json::json!({
        "status": update.status.as_str(),
        "progress": update.progress,
        "spent": update.spent.to_i64(),
        "reason": reason,
    })
    .to_string();
    insert_audit(tx, now, by, "execution.update", Some(&card.proposal_id.to_string()), Some(&detail)).await?;
    queue_pushes_tx(tx, pushes, now).await?;
    match card_tx(tx, card.proposal_id).await? {
        Some(posted) => Ok(PostOutcome::Posted(posted)),
        None => Err(StoreError::Corrupt(format!("the card of project {} vanished", card.proposal_id))),
    }
}

/// A project's card, read on `conn`.
async fn card_tx(conn: &mut AnyConnection, proposal: i64) -> StoreResult<Option<Card>> {
    let row = sqlx::query(
        "SELECT proposal_id, department, approved, spent, progress, status, note, updated_at
         FROM execution_cards WHERE proposal_id = $1",
    )
    .bind(proposal)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(card_of).transpose()
}

impl Store {
    /// Replaces the milestones of each given project (with a card), in one transaction.
    pub async fn set_milestones(&self, plans: &[(i64, Vec<Milestone>)], by: Option<i64>, now: i64) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        for (proposal, milestones) in plans {
            sqlx::query("DELETE FROM execution_milestones WHERE proposal_id = $1")
                .bind(proposal)
                .execute(&mut *tx)
                .await?;
            for (i, m) in milestones.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO execution_milestones (proposal_id, seq, title_ko, title_en, due_on, done_on)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(proposal)
                .bind(i as i64 + 1)
                .bind(&m.title_ko)
                .bind(m.title_en.as_deref())
                .bind(m.due_on.to_string())
                .bind(m.done_on.map(|d| d.to_string()))
                .execute(&mut *tx)
                .await?;
            }
            let detail = serde_json::json!({ "milestones": milestones.len() }).to_string();
            insert_audit(&mut tx, now, by, "execution.milestones", Some(&proposal.to_string()), Some(&detail)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A project's milestones, in order.
    pub async fn milestones(&self, proposal: i64) -> StoreResult<Vec<Milestone>> {
        let rows = sqlx::query(
            "SELECT title_ko, title_en, due_on, done_on FROM execution_milestones WHERE proposal_id = $1 ORDER BY seq",
        )
        .bind(proposal)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let date = |text: String| {
            text.parse::<chrono::NaiveDate>().map_err(|_| StoreError::Corrupt(format!("milestone date {text}")))
        };
        rows.iter()
            .map(|r| {
                Ok(Milestone {
                    title_ko: r.try_get("title_ko")?,
                    title_en: r.try_get("title_en")?,
                    due_on: date(r.try_get("due_on")?)?,
                    done_on: r.try_get::<Option<String>, _>("done_on")?.map(date).transpose()?,
                })
            })
            .collect()
    }
}

/// An evaluation of an area's projects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub id: i64,
    pub cycle_id: i64,
    pub area_key: String,
    pub closes_at: i64,
}

/// What answering an evaluation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerOutcome {
    Saved,
    /// The evaluation is closed (or unknown).
    Closed,
    /// The project has no card in the evaluation's area.
    NotEvaluated,
}

/// One project's evaluation results: ratings and the comments given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ratings {
    pub proposal_id: i64,
    pub count: i64,
    /// The sum of the ratings (their average is `sum / count`).
    pub sum: i64,
    pub comments: Vec<String>,
}

fn evaluation_of(row: &sqlx::any::AnyRow) -> StoreResult<Evaluation> {
    Ok(Evaluation {
        id: row.try_get("id")?,
        cycle_id: row.try_get("cycle_id")?,
        area_key: row.try_get("area_key")?,
        closes_at: row.try_get("closes_at")?,
    })
}

impl Store {
    /// Opens the year-end evaluation of an area once per cycle, queuing the invitations in the
    /// same transaction; `None` when it was opened already.
    pub async fn open_evaluation(
        &self,
        cycle: i64,
        area: &str,
        closes_at: i64,
        by: Option<i64>,
        invitations: impl FnOnce(i64) -> Pushes,
        now: i64,
    ) -> StoreResult<Option<Evaluation>> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "INSERT INTO evaluations (cycle_id, area_key, opened_by, opened_at, closes_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (cycle_id, area_key) DO NOTHING
             RETURNING id, cycle_id, area_key, closes_at",
        )
        .bind(cycle)
        .bind(area)
        .bind(by)
        .bind(now)
        .bind(closes_at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let evaluation = evaluation_of(&row)?;
        insert_audit(&mut tx, now, by, "evaluation.open", Some(area), Some(&evaluation.id.to_string())).await?;
        queue_pushes_tx(&mut tx, &invitations(evaluation.id), now).await?;
        tx.commit().await?;
        Ok(Some(evaluation))
    }

    pub async fn evaluation(&self, id: i64) -> StoreResult<Option<Evaluation>> {
        let row = sqlx::query("SELECT id, cycle_id, area_key, closes_at FROM evaluations WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.as_ref().map(evaluation_of).transpose()
    }

    /// Stores a resident's rating (1–5) and comment of a project; the last answer counts.
    pub async fn answer_evaluation(
        &self,
        evaluation: i64,
        proposal: i64,
        resident_key: &str,
        rating: u8,
        comment: Option<&str>,
        now: i64,
    ) -> StoreResult<AnswerOutcome> {
        let mut tx = self.write_tx().await?;
        let open = sqlx::query("SELECT area_key, cycle_id FROM evaluations WHERE id = $1 AND closes_at > $2")
            .bind(evaluation)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(open) = open else { return Ok(AnswerOutcome::Closed) };
        let on_it = sqlx::query(
            "SELECT 1 FROM execution_cards c JOIN proposals p ON p.id = c.proposal_id
             WHERE c.proposal_id = $1 AND p.area_key = $2 AND p.cycle_id = $3",
        )
        .bind(proposal)
        .bind(open.try_get::<String, _>("area_key")?)
        .bind(open.try_get::<i64, _>("cycle_id")?)
        .fetch_optional(&mut *tx)
        .await?;
        if on_it.is_none() {
            return Ok(AnswerOutcome::NotEvaluated);
        }
        sqlx::query(
            "INSERT INTO evaluation_answers (evaluation_id, proposal_id, resident_key, rating, comment, answered_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (evaluation_id, proposal_id, resident_key)
             DO UPDATE SET rating = excluded.rating, comment = COALESCE(excluded.comment, evaluation_answers.comment),
                           answered_at = excluded.answered_at",
        )
        .bind(evaluation)
        .bind(proposal)
        .bind(resident_key)
        .bind(i64::from(rating))
        .bind(comment)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(AnswerOutcome::Saved)
    }

    /// The ratings of every evaluated project, by project.
    pub async fn evaluation_results(&self) -> StoreResult<Vec<Ratings>> {
        let rows = sqlx::query(
            "SELECT proposal_id, rating, comment FROM evaluation_answers ORDER BY proposal_id, answered_at",
        )
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let mut results: Vec<Ratings> = Vec::new();
        for row in &rows {
            let id: i64 = row.try_get("proposal_id")?;
            if results.last().is_none_or(|r| r.proposal_id != id) {
                results.push(Ratings { proposal_id: id, count: 0, sum: 0, comments: Vec::new() });
            }
            let entry = results.last_mut().expect("just pushed");
            entry.count += 1;
            entry.sum += row.try_get::<i64, _>("rating")?;
            if let Some(comment) = row.try_get::<Option<String>, _>("comment")? {
                entry.comments.push(comment);
            }
        }
        Ok(results)
    }
}
