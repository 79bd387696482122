//! Ballot rounds and ballots. A round opens and closes by itself on time (whichever replica gets
//! there first does it, once); its projects and their costs are fixed at opening. Ballots are
//! kept under a voter key (an HMAC the store never sees the inputs of), so the database alone
//! does not tell who voted how; the last ballot a voter submits counts, and a paper ballot
//! entered for them ends chat voting.

use std::sync::Arc;

use sqlx::{Row, any::AnyRow};
use tokio::sync::oneshot;

use super::{
    Backend, Store, StoreError, StoreResult,
    draft_writes::DraftWrite,
    insert_audit,
    outbox::{Pushes, queue_pushes_tx},
    pool::InlineTx,
    proposals::won,
};
use crate::domain::{
    Won,
    ballot::{Ballot, Kind, Project, RoundStage, Rules},
    outcome::RoundBallots,
};

/// A round as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: i64,
    pub cycle_id: i64,
    pub area_key: String,
    pub stage: RoundStage,
    pub kind: Kind,
    /// The outcome rule (`greedy`, `mes-completed`, …).
    pub rule: String,
    pub pot: Won,
    pub opens_at: i64,
    pub closes_at: i64,
    pub opened_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub void_reason: Option<String>,
}

impl Round {
    /// Open for ballots at `now`: opened, not closed, and before its closing time.
    pub fn is_open(&self, now: i64) -> bool {
        self.opened_at.is_some() && self.closed_at.is_none() && now < self.closes_at
    }
}

/// A round to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRound {
    pub area_key: String,
    pub stage: RoundStage,
    pub kind: Kind,
    pub rule: String,
    pub pot: Won,
    pub opens_at: i64,
    pub closes_at: i64,
}

/// A project of a round, as the ballot shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundProject {
    pub proposal_id: i64,
    pub title: String,
    pub cost: Won,
}

/// A round with its projects (and titles), its ballots by receipt, and the projects excluded
/// for a legal reason.
#[derive(Debug, Clone)]
pub struct RoundRecord {
    pub round: Round,
    pub projects: Vec<(Project, String)>,
    pub ballots: Vec<(String, Ballot)>,
    pub excluded: Vec<(i64, String)>,
}

impl RoundRecord {
    /// What the outcome is computed from; `names` are the district's and the area's names and
    /// `dates` the opening and closing days.
    pub fn tally_input<'a>(
        &'a self,
        names: (&'a str, &'a str),
        dates: (&'a str, &'a str),
        add1_step: Won,
    ) -> RoundBallots<'a> {
        RoundBallots {
            round_id: self.round.id,
            district: names.0,
            area: names.1,
            kind: self.round.kind,
            rule: &self.round.rule,
            pot: self.round.pot,
            add1_step,
            dates,
            projects: &self.projects,
            excluded: &self.excluded,
            ballots: &self.ballots,
        }
    }
}

/// Where a ballot comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Chat,
    /// Entered from a paper ballot by a facilitator or official.
    Paper,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Chat => "chat",
            Source::Paper => "paper",
        }
    }
}

/// What became of a submitted ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CastOutcome {
    /// Stored with this receipt; `replaced` when it took the place of an earlier ballot.
    Cast { receipt: String, replaced: bool },
    /// The round is not open (not yet, closed, or void).
    NotOpen,
    /// A paper ballot was entered for this voter: chat voting has ended for them.
    PaperEntered,
    /// The ballot breaks the round's rules (a forged or stale draft).
    Invalid(String),
    /// The voter's draft was no longer the one confirmed (changed or submitted elsewhere).
    DraftChanged,
}

/// What a cast stores: a ballot given whole, or the voter's draft if it is still this one.
enum Choices<'a> {
    Given(&'a Ballot),
    Draft(&'a Draft),
}

/// Someone who may vote in a round, for its reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PossibleVoter {
    pub telegram_id: i64,
    /// `roll:<id>` or `code:<id>`, as the voter key is made from.
    pub name: String,
    /// `ko` / `en` as last known, if any.
    pub language: Option<String>,
}

/// A ballot being built in chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub ballot: Ballot,
    /// The live ballot message in the voter's chat.
    pub message_id: Option<i64>,
}

/// A stored ballot, as the export and the tally read it (no voter key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBallot {
    pub receipt: String,
    pub ballot: Ballot,
    pub dong_key: Option<String>,
    pub paper: bool,
}

const COLUMNS: &str = "id, cycle_id, area_key, stage, kind, min_picks, max_picks, points, max_per_project, rule,
    pot, opens_at, closes_at, opened_at, closed_at, void_reason";

/// The ballot in a row's `column` of choices (of a `what`: ballot or draft).
fn choices_of(row: &AnyRow, column: &str, what: &str) -> StoreResult<Ballot> {
    let choices: String = row.try_get(column)?;
    Ballot::decode(&choices).ok_or_else(|| StoreError::Corrupt(format!("{what} choices {choices}")))
}

/// A submitted ballot in a row's `column` of choices, `receipt` and `source`: the ballot, its
/// receipt and whether it was entered from paper. `None` when the column is NULL (no ballot).
fn cast_of(row: &AnyRow, column: &str) -> StoreResult<Option<(Ballot, String, bool)>> {
    if row.try_get::<Option<String>, _>(column)?.is_none() {
        return Ok(None);
    }
    let source: String = row.try_get("source")?;
    Ok(Some((choices_of(row, column, "ballot")?, row.try_get("receipt")?, source == "paper")))
}

/// A draft in a row's `choices` and `message_id`; `None` when they are NULL (no draft).
fn draft_of(row: &AnyRow) -> StoreResult<Option<Draft>> {
    if row.try_get::<Option<String>, _>("choices")?.is_none() {
        return Ok(None);
    }
    Ok(Some(Draft { ballot: choices_of(row, "choices", "draft")?, message_id: row.try_get("message_id")? }))
}

fn round_from_row(row: &AnyRow) -> StoreResult<Round> {
    let kind: String = row.try_get("kind")?;
    let stage: String = row.try_get("stage")?;
    let limit = |column: &str| -> StoreResult<u32> {
        let value: Option<i64> = row.try_get(column)?;
        value
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| StoreError::Corrupt(format!("ballot round {column} is missing for a {kind} round")))
    };
    let kind = match kind.as_str() {
        "approval" => Kind::Approval { min: limit("min_picks")?, max: limit("max_picks")? },
        "ranked" => Kind::Ranked { max: limit("max_picks")? },
        "knapsack" => Kind::Knapsack,
        "cumulative" => Kind::Cumulative { points: limit("points")?, per_project: limit("max_per_project")? },
        other => return Err(StoreError::Corrupt(format!("ballot kind {other}"))),
    };
    Ok(Round {
        id: row.try_get("id")?,
        cycle_id: row.try_get("cycle_id")?,
        area_key: row.try_get("area_key")?,
        stage: stage.parse().map_err(StoreError::Corrupt)?,
        kind,
        rule: row.try_get("rule")?,
        pot: won("pot", row.try_get("pot")?)?,
        opens_at: row.try_get("opens_at")?,
        closes_at: row.try_get("closes_at")?,
        opened_at: row.try_get("opened_at")?,
        closed_at: row.try_get("closed_at")?,
        void_reason: row.try_get("void_reason")?,
    })
}

/// The columns holding a kind's limits: (min_picks, max_picks, points, max_per_project).
fn limits(kind: Kind) -> (i64, Option<i64>, Option<i64>, Option<i64>) {
    match kind {
        Kind::Approval { min, max } => (i64::from(min), Some(i64::from(max)), None, None),
        Kind::Ranked { max } => (0, Some(i64::from(max)), None, None),
        Kind::Knapsack => (0, None, None, None),
        Kind::Cumulative { points, per_project } => (0, None, Some(i64::from(points)), Some(i64::from(per_project))),
    }
}

async fn fetch_round(conn: &mut sqlx::AnyConnection, id: i64) -> StoreResult<Option<Round>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM ballot_rounds WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| round_from_row(&r)).transpose()
}

/// A ballot to store: whose, where from, under which receipt, and who entered it when.
struct NewBallot<'a> {
    round_id: i64,
    voter_key: &'a str,
    dong_key: Option<&'a str>,
    receipt: &'a str,
    source: Source,
    actor: Option<i64>,
    now: i64,
}

/// Whether a cast may store its ballot, judged on what its transaction found: the round, the
/// source of the voter's earlier ballot, and the draft it took. The ballot, or why not.
fn verdict<'b>(
    round: &Round,
    projects: &[RoundProject],
    earlier: Option<&str>,
    removed: Option<&AnyRow>,
    choices: Choices<'b>,
    new: &NewBallot<'_>,
) -> StoreResult<Result<&'b Ballot, CastOutcome>> {
    if !round.is_open(new.now) {
        return Ok(Err(CastOutcome::NotOpen));
    }
    // The draft goes either way; a confirmed one is taken as it stands.
    let ballot = match choices {
        Choices::Given(ballot) => ballot,
        Choices::Draft(expected) => {
            let draft = removed.map(draft_of).transpose()?.flatten();
            if draft.as_ref() != Some(expected) {
                return Ok(Err(CastOutcome::DraftChanged));
            }
            &expected.ballot
        }
    };
    if let Err(e) = ballot.check(&rules_of(round, projects)) {
        return Ok(Err(CastOutcome::Invalid(e.to_string())));
    }
    if new.source == Source::Chat && earlier == Some("paper") {
        return Ok(Err(CastOutcome::PaperEntered));
    }
    Ok(Ok(ballot))
}

/// A [`verdict`] that lets the ballot be stored is heard by `decided` (if any) before it is: the
/// one step both backends take between judging a cast and storing it.
fn passed<T>(judged: Result<T, CastOutcome>, decided: Option<oneshot::Sender<()>>) -> Result<T, CastOutcome> {
    if let (Ok(_), Some(decided)) = (&judged, decided) {
        let _ = decided.send(());
    }
    judged
}

/// Stores a ballot in place of the voter's earlier one.
const INSERT_BALLOT: &str = "INSERT INTO ballots (round_id, voter_key, dong_key, choices, receipt, source)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (round_id, voter_key) DO UPDATE SET dong_key = excluded.dong_key, choices = excluded.choices,
       receipt = excluded.receipt, source = excluded.source";

/// Runs `sql` ([`INSERT_BALLOT`], perhaps with more after it) for `ballot`.
async fn insert_ballot(
    conn: &mut sqlx::AnyConnection,
    sql: &str,
    new: &NewBallot<'_>,
    ballot: &Ballot,
) -> StoreResult<()> {
    sqlx::query(sql)
        .bind(new.round_id)
        .bind(new.voter_key)
        .bind(new.dong_key)
        .bind(ballot.encode())
        .bind(new.receipt)
        .bind(new.source.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Audits a paper ballot's entry, without naming the voter.
async fn insert_paper_audit(
    conn: &mut sqlx::AnyConnection,
    new: &NewBallot<'_>,
    earlier: Option<&str>,
) -> StoreResult<()> {
    let detail = serde_json::json!({ "replaced_chat_ballot": earlier == Some("chat") }).to_string();
    insert_audit(conn, new.now, new.actor, "ballot.paper", Some(&new.round_id.to_string()), Some(&detail)).await
}

async fn fetch_projects(conn: &mut sqlx::AnyConnection, round: i64) -> StoreResult<Vec<RoundProject>> {
    let rows = sqlx::query(
        "SELECT rp.proposal_id, p.title, rp.cost FROM round_projects rp JOIN proposals p ON p.id = rp.proposal_id
         WHERE rp.round_id = $1 ORDER BY rp.proposal_id",
    )
    .bind(round)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RoundProject {
                proposal_id: r.try_get("proposal_id")?,
                title: r.try_get("title")?,
                cost: won("cost", r.try_get("cost")?)?,
            })
        })
        .collect()
}

/// The rules a ballot of `round` must follow.
pub fn rules_of(round: &Round, projects: &[RoundProject]) -> Rules {
    Rules {
        kind: round.kind,
        projects: projects.iter().map(|p| Project { id: p.proposal_id, cost: p.cost }).collect(),
        pot: round.pot,
    }
}

impl Store {
    /// Creates a round (audited); it opens by itself at `opens_at`.
    pub async fn create_round(
        &self,
        cycle_id: i64,
        round: &NewRound,
        official: Option<i64>,
        now: i64,
    ) -> StoreResult<Round> {
        let (min_picks, max_picks, points, per_project) = limits(round.kind);
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO ballot_rounds (cycle_id, area_key, stage, kind, min_picks, max_picks, points, max_per_project,
               rule, pot, opens_at, closes_at, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING {COLUMNS}"
        ))
        .bind(cycle_id)
        .bind(&round.area_key)
        .bind(round.stage.as_str())
        .bind(round.kind.name())
        .bind(min_picks)
        .bind(max_picks)
        .bind(points)
        .bind(per_project)
        .bind(&round.rule)
        .bind(round.pot.to_i64())
        .bind(round.opens_at)
        .bind(round.closes_at)
        .bind(official)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let created = round_from_row(&row)?;
        let detail = serde_json::json!({ "area": created.area_key, "stage": created.stage.as_str(),
            "kind": created.kind.name(), "rule": created.rule, "opens_at": created.opens_at,
            "closes_at": created.closes_at })
        .to_string();
        insert_audit(&mut tx, now, official, "round.create", Some(&created.id.to_string()), Some(&detail)).await?;
        tx.commit().await?;
        self.rounds.forget_all();
        Ok(created)
    }

    /// How many of an area's proposals are eligible now (a round opening now would hold them).
    pub async fn eligible_count(&self, cycle_id: i64, area_key: &str) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM proposals WHERE cycle_id = $1 AND area_key = $2 AND status = 'eligible'",
        )
        .bind(cycle_id)
        .bind(area_key)
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok(row.try_get("n")?)
    }

    pub async fn round(&self, id: i64) -> StoreResult<Option<Round>> {
        fetch_round(&mut *self.conn().await?, id).await
    }

    /// The rounds of a cycle, by opening time.
    pub async fn rounds(&self, cycle_id: i64) -> StoreResult<Vec<Round>> {
        let rows =
            sqlx::query(&format!("SELECT {COLUMNS} FROM ballot_rounds WHERE cycle_id = $1 ORDER BY opens_at, id"))
                .bind(cycle_id)
                .fetch_all(&mut *self.conn().await?)
                .await?;
        rows.iter().map(round_from_row).collect()
    }

    /// The rounds of the cycle of `year`, by opening time (none without a cycle), in one read.
    pub async fn rounds_of_year(&self, year: i32) -> StoreResult<Vec<Round>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ballot_rounds
             WHERE cycle_id = (SELECT id FROM cycles WHERE year = $1) ORDER BY opens_at, id"
        ))
        .bind(year)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter().map(round_from_row).collect()
    }

    /// The year's rounds as read in the last second, for `/vote`'s list of open rounds: another
    /// replica's opening shows within a second (and a caller finding none open reads
    /// [`Store::rounds_of_year`] to be sure). A ballot itself is always checked against the
    /// stored round.
    pub async fn rounds_shown(&self, year: i32, now: i64) -> StoreResult<Vec<Round>> {
        self.rounds.or_read(year, now, self.rounds_of_year(year)).await
    }

    /// A round's projects, from memory once it has opened (they never change after): every tap
    /// on a ballot needs them, so they are shared rather than copied, and read without taking a
    /// connection.
    pub async fn round_projects(&self, round: i64) -> StoreResult<Arc<Vec<RoundProject>>> {
        match self.known_projects(round) {
            Some(known) => Ok(known),
            None => self.read_projects(&mut *self.conn().await?, round).await,
        }
    }

    /// [`Store::round_projects`], read on `conn` when not known yet.
    async fn projects_of(&self, conn: &mut sqlx::AnyConnection, round: i64) -> StoreResult<Arc<Vec<RoundProject>>> {
        match self.known_projects(round) {
            Some(known) => Ok(known),
            None => self.read_projects(conn, round).await,
        }
    }

    /// Reads a round's projects, and keeps them once they are fixed.
    async fn read_projects(&self, conn: &mut sqlx::AnyConnection, round: i64) -> StoreResult<Arc<Vec<RoundProject>>> {
        let projects = Arc::new(fetch_projects(conn, round).await?);
        // An empty list is a round not opened yet (or voided): not fixed, so not kept.
        if !projects.is_empty() {
            self.round_projects.lock().unwrap_or_else(|e| e.into_inner()).insert(round, projects.clone());
        }
        Ok(projects)
    }

    fn known_projects(&self, round: i64) -> Option<Arc<Vec<RoundProject>>> {
        self.round_projects.lock().unwrap_or_else(|e| e.into_inner()).get(&round).cloned()
    }

    /// Ids of the rounds matching `condition` (`$1` is `now`), in order.
    async fn rounds_where(&self, condition: &str, now: i64) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(&format!("SELECT id FROM ballot_rounds WHERE {condition} ORDER BY id"))
            .bind(now)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// Opens every round whose time has come: fixes its projects (the area's eligible proposals
    /// now, at their reviewed cost) and queues `announce`, each round in one transaction and
    /// exactly once however many replicas try. A round without an eligible project is voided
    /// (closed at once, with the reason) and not announced. Returns the rounds opened or voided.
    pub async fn open_due_rounds(
        &self,
        now: i64,
        announce: impl Fn(&Round, &[RoundProject]) -> Pushes,
    ) -> StoreResult<Vec<Round>> {
        let due = self.rounds_where("opened_at IS NULL AND closed_at IS NULL AND opens_at <= $1", now).await?;
        let mut opened = Vec::new();
        for id in due {
            let mut tx = self.write_tx().await?;
            let claimed = sqlx::query("UPDATE ballot_rounds SET opened_at = $2 WHERE id = $1 AND opened_at IS NULL")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if claimed == 0 {
                continue; // another replica opened it
            }
            let round = fetch_round(&mut tx, id).await?.ok_or_else(|| StoreError::Corrupt(format!("round {id}")))?;
            sqlx::query(
                "INSERT INTO round_projects (round_id, proposal_id, cost)
                 SELECT $1, id, reviewed_cost FROM proposals
                 WHERE cycle_id = $2 AND area_key = $3 AND status = 'eligible' AND reviewed_cost IS NOT NULL",
            )
            .bind(id)
            .bind(round.cycle_id)
            .bind(&round.area_key)
            .execute(&mut *tx)
            .await?;
            let projects = fetch_projects(&mut tx, id).await?;
            let problem = if projects.is_empty() {
                Some("no eligible project in the area".to_owned())
            } else {
                round.kind.check_limits(projects.len()).err()
            };
            let round = match problem {
                Some(reason) => {
                    sqlx::query("UPDATE ballot_rounds SET closed_at = $2, void_reason = $3 WHERE id = $1")
                        .bind(id)
                        .bind(now)
                        .bind(&reason)
                        .execute(&mut *tx)
                        .await?;
                    let detail = serde_json::json!({ "reason": reason }).to_string();
                    insert_audit(&mut tx, now, None, "round.void", Some(&id.to_string()), Some(&detail)).await?;
                    fetch_round(&mut tx, id).await?.ok_or_else(|| StoreError::Corrupt(format!("round {id}")))?
                }
                None => {
                    let detail = serde_json::json!({ "projects": projects.len() }).to_string();
                    insert_audit(&mut tx, now, None, "round.open", Some(&id.to_string()), Some(&detail)).await?;
                    queue_pushes_tx(&mut tx, &announce(&round, &projects), now).await?;
                    round
                }
            };
            tx.commit().await?;
            self.rounds.forget_all();
            opened.push(round);
        }
        Ok(opened)
    }

    /// Closes every open round whose closing time has come and queues `announce`, each once.
    pub async fn close_due_rounds(&self, now: i64, announce: impl Fn(&Round) -> Pushes) -> StoreResult<Vec<Round>> {
        let due = self.rounds_where("opened_at IS NOT NULL AND closed_at IS NULL AND closes_at <= $1", now).await?;
        let mut closed = Vec::new();
        for id in due {
            let mut tx = self.write_tx().await?;
            let claimed = sqlx::query("UPDATE ballot_rounds SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if claimed == 0 {
                continue;
            }
            let round = fetch_round(&mut tx, id).await?.ok_or_else(|| StoreError::Corrupt(format!("round {id}")))?;
            let ballots: i64 = sqlx::query("SELECT COUNT(*) AS n FROM ballots WHERE round_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
            sqlx::query("DELETE FROM ballot_drafts WHERE round_id = $1").bind(id).execute(&mut *tx).await?;
            let detail = serde_json::json!({ "ballots": ballots }).to_string();
            insert_audit(&mut tx, now, None, "round.close", Some(&id.to_string()), Some(&detail)).await?;
            queue_pushes_tx(&mut tx, &announce(&round), now).await?;
            tx.commit().await?;
            self.rounds.forget_all();
            closed.push(round);
        }
        Ok(closed)
    }

    /// The ballot a voter is building (even empty, once opened), if any.
    pub async fn draft(&self, round: i64, voter_key: &str) -> StoreResult<Option<Draft>> {
        let row = sqlx::query("SELECT choices, message_id FROM ballot_drafts WHERE round_id = $1 AND voter_key = $2")
            .bind(round)
            .bind(voter_key)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.map_or(Ok(None), |row| draft_of(&row))
    }

    /// The voter's submitted ballot ([`Store::cast_ballot_of`]) and their draft
    /// ([`Store::draft`]), in one read: opening the ballot needs both.
    pub async fn cast_and_draft(
        &self,
        round: i64,
        voter_key: &str,
    ) -> StoreResult<(Option<(Ballot, String, bool)>, Option<Draft>)> {
        let row = sqlx::query(
            "SELECT b.choices AS cast_choices, b.receipt, b.source, d.choices, d.message_id
             FROM (SELECT 1 AS one) AS one
             LEFT JOIN ballots b ON b.round_id = $1 AND b.voter_key = $2
             LEFT JOIN ballot_drafts d ON d.round_id = $1 AND d.voter_key = $2",
        )
        .bind(round)
        .bind(voter_key)
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok((cast_of(&row, "cast_choices")?, draft_of(&row)?))
    }

    /// A round and the voter's draft in it, in one read: a ballot button needs both.
    /// `voter_key` is `None` for someone who is not a voter (no draft, then). With `guess_at`
    /// (the time now), a round and draft this process read or wrote in the last seconds are
    /// taken without a read, and `true` says so: a guess, which [`Store::replace_draft`] checks
    /// (a round changes only when it opens and when its time is up, so the guessed one answers
    /// [`Round::is_open`] rightly; the draft may have been changed by another replica).
    pub async fn round_with_draft(
        &self,
        round: i64,
        voter_key: Option<&str>,
        guess_at: Option<i64>,
    ) -> StoreResult<Option<(Round, Option<Draft>, bool)>> {
        let guessing = guess_at.zip(voter_key).map(|(now, key)| (now, (round, key.to_owned())));
        if let Some((now, key)) = &guessing
            && let Some((round, draft)) = self.drafts.get(key, *now)
        {
            return Ok(Some((round, Some(draft), true)));
        }
        let ticket = self.drafts.ticket();
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS}, d.choices, d.message_id FROM ballot_rounds
             LEFT JOIN ballot_drafts d ON d.round_id = ballot_rounds.id AND d.voter_key = $2
             WHERE ballot_rounds.id = $1"
        ))
        .bind(round)
        .bind(voter_key)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let (round, draft) = (round_from_row(&row)?, draft_of(&row)?);
        if let (Some((now, key)), Some(draft)) = (guessing, &draft) {
            self.drafts.put(ticket, key, (round.clone(), draft.clone()), now);
        }
        Ok(Some((round, draft, false)))
    }

    /// Keeps the ballot a voter is building; `message_id` (when given) becomes the live ballot
    /// message, the only one whose buttons count.
    pub async fn save_draft(
        &self,
        round: &Round,
        voter_key: &str,
        ballot: &Ballot,
        message_id: Option<i64>,
        now: i64,
    ) -> StoreResult<()> {
        let key = (round.id, voter_key.to_owned());
        let ticket = self.drafts.forget(&key);
        sqlx::query(
            "INSERT INTO ballot_drafts (round_id, voter_key, choices, message_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (round_id, voter_key) DO UPDATE SET choices = excluded.choices,
               message_id = COALESCE(excluded.message_id, ballot_drafts.message_id)",
        )
        .bind(round.id)
        .bind(voter_key)
        .bind(ballot.encode())
        .bind(message_id)
        .execute(&mut *self.write_conn().await?)
        .await?;
        if message_id.is_some() {
            let draft = Draft { ballot: ballot.clone(), message_id };
            self.drafts.put(ticket, key, (round.clone(), draft), now);
        }
        Ok(())
    }

    /// A tap's new ballot in place of the draft `before` (its ballot and live message), only if
    /// the stored draft still is `before`; `false` (nothing written) when another replica
    /// changed it meanwhile, or it is gone.
    pub async fn replace_draft(
        &self,
        round: &Round,
        voter_key: &str,
        before: &Draft,
        ballot: &Ballot,
        now: i64,
    ) -> StoreResult<bool> {
        let key = (round.id, voter_key.to_owned());
        let ticket = self.drafts.forget(&key);
        let replaced = match self.backend {
            // Taps waiting together are written together.
            Backend::Sqlite => {
                let write = DraftWrite {
                    round: round.id,
                    voter_key: voter_key.to_owned(),
                    choices: ballot.encode(),
                    before: before.ballot.encode(),
                    message_id: before.message_id,
                };
                self.draft_writes.write(write, || self.write_conn()).await?
            }
            Backend::Postgres => {
                sqlx::query(
                    "UPDATE ballot_drafts SET choices = $3
                     WHERE round_id = $1 AND voter_key = $2 AND choices = $4 AND message_id = $5",
                )
                .bind(round.id)
                .bind(voter_key)
                .bind(ballot.encode())
                .bind(before.ballot.encode())
                .bind(before.message_id)
                .execute(&mut *self.write_conn().await?)
                .await?
                .rows_affected()
                    == 1
            }
        };
        if replaced {
            let draft = Draft { ballot: ballot.clone(), message_id: before.message_id };
            self.drafts.put(ticket, key, (round.clone(), draft), now);
        }
        Ok(replaced)
    }

    /// The voter's submitted ballot and its receipt, if any.
    pub async fn cast_ballot_of(&self, round: i64, voter_key: &str) -> StoreResult<Option<(Ballot, String, bool)>> {
        let row = sqlx::query("SELECT choices, receipt, source FROM ballots WHERE round_id = $1 AND voter_key = $2")
            .bind(round)
            .bind(voter_key)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.map_or(Ok(None), |row| cast_of(&row, "choices"))
    }

    /// Stores a voter's ballot under a fresh `receipt`, checked against the round's rules inside
    /// the transaction: the last one counts, the draft goes. A chat ballot never replaces a
    /// paper one; a paper ballot replaces a chat one (audited, without naming the voter).
    /// Two submits at the same instant leave exactly one ballot.
    #[allow(clippy::too_many_arguments)]
    pub async fn cast_ballot(
        &self,
        round_id: i64,
        voter_key: &str,
        dong_key: Option<&str>,
        ballot: &Ballot,
        receipt: &str,
        source: Source,
        actor: Option<i64>,
        now: i64,
    ) -> StoreResult<CastOutcome> {
        self.cast(round_id, voter_key, dong_key, Choices::Given(ballot), receipt, source, actor, now, None).await
    }

    /// Stores the voter's draft as their chat ballot, as `cast_ballot` does, provided the draft
    /// is still `expected` (the ballot the voter confirmed, on the same live message) when the
    /// transaction takes it; otherwise nothing is written and the outcome is `DraftChanged`.
    /// `decided` hears once the ballot has passed every check and only its storing is left (the
    /// outcome is then `Cast`, unless the database fails); it is dropped unsent otherwise.
    #[allow(clippy::too_many_arguments)]
    pub async fn cast_draft(
        &self,
        round_id: i64,
        voter_key: &str,
        dong_key: &str,
        expected: &Draft,
        receipt: &str,
        now: i64,
        decided: Option<oneshot::Sender<()>>,
    ) -> StoreResult<CastOutcome> {
        let choices = Choices::Draft(expected);
        self.cast(round_id, voter_key, Some(dong_key), choices, receipt, Source::Chat, None, now, decided).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn cast(
        &self,
        round_id: i64,
        voter_key: &str,
        dong_key: Option<&str>,
        choices: Choices<'_>,
        receipt: &str,
        source: Source,
        actor: Option<i64>,
        now: i64,
        decided: Option<oneshot::Sender<()>>,
    ) -> StoreResult<CastOutcome> {
        let new = NewBallot { round_id, voter_key, dong_key, receipt, source, actor, now };
        let outcome = match self.backend {
            Backend::Sqlite => self.cast_sqlite(&new, choices, decided).await?,
            Backend::Postgres => self.cast_postgres(&new, choices, decided).await?,
        };
        if let CastOutcome::Cast { .. } = outcome {
            self.drafts.forget(&(round_id, voter_key.to_owned()));
        }
        Ok(outcome)
    }

    /// SQLite: the transaction holds the file's write lock from its start (`BEGIN IMMEDIATE`), so
    /// it reads the round, the source of the voter's earlier ballot and takes the draft in its
    /// first query, and stores the ballot and commits in its last.
    async fn cast_sqlite(
        &self,
        new: &NewBallot<'_>,
        choices: Choices<'_>,
        decided: Option<oneshot::Sender<()>>,
    ) -> StoreResult<CastOutcome> {
        let mut tx = InlineTx::new(self.write_conn().await?);
        let rows = sqlx::query(&format!(
            "{begin}
             SELECT {COLUMNS}, (SELECT source FROM ballots WHERE round_id = $1 AND voter_key = $2) AS earlier
             FROM ballot_rounds WHERE id = $1;
             DELETE FROM ballot_drafts WHERE round_id = $1 AND voter_key = $2 RETURNING choices, message_id",
            begin = InlineTx::BEGIN
        ))
        .bind(new.round_id)
        .bind(new.voter_key)
        .fetch_all(&mut *tx)
        .await?;
        // The round's row is the one with `earlier`; the draft's, if any, the other.
        let (round, removed): (Vec<&AnyRow>, Vec<&AnyRow>) =
            rows.iter().partition(|row| row.try_column("earlier").is_ok());
        let Some(row) = round.first() else {
            tx.rollback().await?;
            return Ok(CastOutcome::NotOpen);
        };
        let earlier: Option<String> = row.try_get("earlier")?;
        let round = round_from_row(row)?;
        let projects = self.projects_of(&mut tx, new.round_id).await?;
        let judged = verdict(&round, &projects, earlier.as_deref(), removed.first().copied(), choices, new)?;
        let ballot = match passed(judged, decided) {
            Ok(ballot) => ballot,
            Err(outcome) => {
                tx.rollback().await?;
                return Ok(outcome);
            }
        };
        if new.source == Source::Paper {
            insert_ballot(&mut tx, INSERT_BALLOT, new, ballot).await?;
            insert_paper_audit(&mut tx, new, earlier.as_deref()).await?;
            tx.commit().await?;
        } else {
            insert_ballot(&mut tx, &format!("{INSERT_BALLOT}; COMMIT"), new, ballot).await?;
            tx.committed();
        }
        Ok(CastOutcome::Cast { receipt: new.receipt.to_owned(), replaced: earlier.is_some() })
    }

    /// PostgreSQL: takes the voter's ballot row first (or learns there is none), so concurrent
    /// submits queue up.
    async fn cast_postgres(
        &self,
        new: &NewBallot<'_>,
        choices: Choices<'_>,
        decided: Option<oneshot::Sender<()>>,
    ) -> StoreResult<CastOutcome> {
        let mut tx = self.write_tx().await?;
        let Some(round) = fetch_round(&mut tx, new.round_id).await? else { return Ok(CastOutcome::NotOpen) };
        let earlier: Option<String> =
            sqlx::query("UPDATE ballots SET choices = choices WHERE round_id = $1 AND voter_key = $2 RETURNING source")
                .bind(new.round_id)
                .bind(new.voter_key)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("source"))
                .transpose()?;
        let removed = sqlx::query(
            "DELETE FROM ballot_drafts WHERE round_id = $1 AND voter_key = $2 RETURNING choices, message_id",
        )
        .bind(new.round_id)
        .bind(new.voter_key)
        .fetch_optional(&mut *tx)
        .await?;
        let projects = self.projects_of(&mut tx, new.round_id).await?;
        // Dropping the transaction rolls it back.
        let judged = verdict(&round, &projects, earlier.as_deref(), removed.as_ref(), choices, new)?;
        let ballot = match passed(judged, decided) {
            Ok(ballot) => ballot,
            Err(outcome) => return Ok(outcome),
        };
        insert_ballot(&mut tx, INSERT_BALLOT, new, ballot).await?;
        if new.source == Source::Paper {
            insert_paper_audit(&mut tx, new, earlier.as_deref()).await?;
        }
        tx.commit().await?;
        Ok(CastOutcome::Cast { receipt: new.receipt.to_owned(), replaced: earlier.is_some() })
    }

    /// Every ballot of a round, by receipt (for the tally and the anonymised export).
    pub async fn ballots(&self, round: i64) -> StoreResult<Vec<StoredBallot>> {
        let rows =
            sqlx::query("SELECT receipt, choices, dong_key, source FROM ballots WHERE round_id = $1 ORDER BY receipt")
                .bind(round)
                .fetch_all(&mut *self.conn().await?)
                .await?;
        rows.iter()
            .map(|r| {
                let source: String = r.try_get("source")?;
                Ok(StoredBallot {
                    receipt: r.try_get("receipt")?,
                    ballot: choices_of(r, "choices", "ballot")?,
                    dong_key: r.try_get("dong_key")?,
                    paper: source == "paper",
                })
            })
            .collect()
    }

    /// A round with its projects and ballots: what its outcome and export are made of.
    pub async fn round_record(&self, id: i64) -> StoreResult<Option<RoundRecord>> {
        let Some(round) = self.round(id).await? else { return Ok(None) };
        let projects = self
            .round_projects(id)
            .await?
            .iter()
            .map(|p| (Project { id: p.proposal_id, cost: p.cost }, p.title.clone()))
            .collect();
        let ballots = self.ballots(id).await?.into_iter().map(|b| (b.receipt, b.ballot)).collect();
        let excluded = self.exclusions(id).await?;
        Ok(Some(RoundRecord { round, projects, ballots, excluded }))
    }

    /// Every ballot of a round with its receipt, by voter key: to tell each voter about their
    /// own picks without a query per voter.
    pub async fn ballots_by_voter(
        &self,
        round: i64,
    ) -> StoreResult<std::collections::HashMap<String, (Ballot, String)>> {
        let rows = sqlx::query("SELECT voter_key, choices, receipt FROM ballots WHERE round_id = $1")
            .bind(round)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("voter_key")?, (choices_of(r, "choices", "ballot")?, r.try_get("receipt")?))))
            .collect()
    }

    /// Ballots per voter's dong (`None`: no dong recorded), for officials' turnout figures.
    pub async fn turnout(&self, round: i64) -> StoreResult<Vec<(Option<String>, i64)>> {
        let rows = sqlx::query(
            "SELECT dong_key, COUNT(*) AS n FROM ballots WHERE round_id = $1 GROUP BY dong_key ORDER BY dong_key",
        )
        .bind(round)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("dong_key")?, r.try_get("n")?))).collect()
    }

    /// Residents who may vote in `round`, can be reached and did not turn voting reminders off.
    pub async fn possible_voters(&self, round: &Round) -> StoreResult<Vec<PossibleVoter>> {
        self.residents_of(round, true).await
    }

    /// Everyone who could vote in `round`, reminders or not: those the results tell what
    /// happened to their picks.
    pub async fn round_residents(&self, round: &Round) -> StoreResult<Vec<PossibleVoter>> {
        self.residents_of(round, false).await
    }

    /// The verified residents of an area (a dong's own, or everyone for the district-wide area):
    /// those invited to evaluate its projects.
    pub async fn area_residents(&self, area: &str, dong: bool) -> StoreResult<Vec<PossibleVoter>> {
        let stage = if dong { RoundStage::Dong } else { RoundStage::District };
        self.residents_where(stage, area, 0, false).await
    }

    async fn residents_of(&self, round: &Round, reminded_only: bool) -> StoreResult<Vec<PossibleVoter>> {
        self.residents_where(round.stage, &round.area_key, round.cycle_id, reminded_only).await
    }

    async fn residents_where(
        &self,
        stage: RoundStage,
        area: &str,
        cycle: i64,
        reminded_only: bool,
    ) -> StoreResult<Vec<PossibleVoter>> {
        let filter = match stage {
            RoundStage::Dong => "r.dong_key = $1",
            RoundStage::District => "1 = 1",
            RoundStage::Committee => {
                "EXISTS (SELECT 1 FROM committee_members c WHERE c.telegram_id = r.telegram_id AND c.cycle_id = $1)"
            }
        };
        let sql = format!(
            "SELECT r.telegram_id, r.roll_entry_id, r.code_id, u.language FROM residents r
             JOIN users u ON u.telegram_id = r.telegram_id AND u.blocked_at IS NULL
             WHERE {filter} {opted_out}
             ORDER BY r.telegram_id",
            opted_out = if reminded_only {
                "AND NOT EXISTS (SELECT 1 FROM ballot_reminder_opt_outs o WHERE o.telegram_id = r.telegram_id)"
            } else {
                ""
            }
        );
        let query = sqlx::query(&sql);
        let query = match stage {
            RoundStage::Dong => query.bind(area.to_owned()),
            RoundStage::Committee => query.bind(cycle),
            RoundStage::District => query,
        };
        let rows = query.fetch_all(&mut *self.conn().await?).await?;
        rows.iter()
            .map(|r| {
                let (roll, code): (Option<i64>, Option<i64>) = (r.try_get("roll_entry_id")?, r.try_get("code_id")?);
                let name = match (roll, code) {
                    (Some(entry), _) => format!("roll:{entry}"),
                    (None, Some(code)) => format!("code:{code}"),
                    (None, None) => return Err(StoreError::Corrupt("a resident without roll entry or code".into())),
                };
                Ok(PossibleVoter { telegram_id: r.try_get("telegram_id")?, name, language: r.try_get("language")? })
            })
            .collect()
    }

    /// Voter keys of a round that voted or were reminded already.
    pub async fn voted_or_reminded(&self, round: i64) -> StoreResult<std::collections::HashSet<String>> {
        let rows = sqlx::query(
            "SELECT voter_key FROM ballots WHERE round_id = $1 UNION SELECT voter_key FROM ballot_reminders WHERE round_id = $1",
        )
        .bind(round)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("voter_key")?)).collect()
    }

    /// Records the round's one reminder for a voter and queues it, in one transaction; `false`
    /// (nothing queued) when they voted meanwhile or were reminded already.
    pub async fn queue_vote_reminder(
        &self,
        round: i64,
        voter_key: &str,
        pushes: &Pushes,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let voted = sqlx::query("SELECT 1 AS yes FROM ballots WHERE round_id = $1 AND voter_key = $2")
            .bind(round)
            .bind(voter_key)
            .fetch_optional(&mut *tx)
            .await?;
        if voted.is_some() {
            return Ok(false);
        }
        let fresh =
            sqlx::query("INSERT INTO ballot_reminders (round_id, voter_key) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(round)
                .bind(voter_key)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if fresh == 0 {
            return Ok(false);
        }
        queue_pushes_tx(&mut tx, pushes, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// No more voting reminders for this resident; `false` when they were off already.
    pub async fn opt_out_of_vote_reminders(&self, telegram_id: i64, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO ballot_reminder_opt_outs (telegram_id, opted_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(telegram_id)
        .bind(now)
        .execute(&mut *self.write_conn().await?)
        .await?
        .rows_affected();
        Ok(done == 1)
    }
}
