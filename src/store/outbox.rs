//! The outbox: every push the bot makes (DESIGN §8), written in the same transaction as the event
//! that causes it and drained by the delivery worker.
//!
//! Texts are rendered when the row is written, in the recipient's language: a message says what
//! the event said when it happened, the worker needs neither the locales nor a lookup per
//! message, and a broadcast is rendered twice (Korean and English) however many follow it — each
//! of its rows names the broadcast and the language, and the text lives once in `broadcasts`.
//!
//! A worker claims rows with a lease, marks each one `sending` just before the request (checking
//! it still holds it), then `sent`, back to `queued` for a retry, `failed` or `blocked`. A row
//! found `sending` after its lease ran out was in flight when its worker stopped: it is sent again
//! (it may arrive twice) and marked so. Within one chat and lane, rows go out in id order.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use super::{Backend, Store, StoreResult, insert_audit};

/// Which queue a message waits in: personal notices never wait behind a broadcast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    /// About the recipient's own doings: their proposal, their meeting.
    Personal,
    /// One message to many followers.
    Bulk,
}

impl Lane {
    pub fn code(self) -> i64 {
        match self {
            Lane::Personal => 0,
            Lane::Bulk => 1,
        }
    }
}

/// A message to one user, already in their language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub chat_id: i64,
    pub text: String,
    /// An inline keyboard as Bot API JSON.
    pub markup: Option<String>,
}

/// Something a resident can follow (a row of `subscriptions`, or a family of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Follow {
    /// The followers of one dong.
    Dong(String),
    /// The followers of any dong.
    AnyDong,
    /// The followers of district-wide announcements.
    District,
    /// The followers of one project (proposal).
    Project(i64),
    /// The residents who said they are going to a meeting.
    Going(i64),
}

/// The `subscriptions.target` of district-wide announcements.
pub const DISTRICT_TARGET: &str = "all";

/// One message to everyone who follows any of `audience`, in Korean and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broadcast {
    /// What kind of news: `announcement`, `proposal-eligible`, …
    pub kind: String,
    /// What it is about: an area key, a proposal id.
    pub subject: Option<String>,
    pub text_ko: String,
    pub text_en: String,
    pub markup_ko: Option<String>,
    pub markup_en: Option<String>,
    pub audience: Vec<Follow>,
    /// Users who get a personal notice about the same event instead.
    pub exclude: Option<i64>,
    pub created_by: Option<i64>,
    /// A picture per language; the texts are then its captions.
    pub photos: Option<Photos>,
}

/// A broadcast's picture: drawn per language (PNG or JPEG bytes, uploaded with the first
/// message), or one Telegram already has (a file id, e.g. a photo an official sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Photos {
    Drawn {
        /// The file name, without the language (`results-12.png` is sent as `results-12-ko.png`).
        name: String,
        ko: Vec<u8>,
        en: Vec<u8>,
    },
    Telegram {
        file_id: String,
    },
}

/// A picture to send: Telegram's file id once it has been uploaded, else its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Media {
    FileId(String),
    Upload { name: String, bytes: Vec<u8> },
}

/// A claimed row, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub id: i64,
    pub chat_id: i64,
    pub lane: Lane,
    pub text: String,
    pub markup: Option<String>,
    /// A picture (a row of `media`): sent as a photo with the text as its caption.
    pub photo: Option<i64>,
    /// Send attempts before this claim.
    pub attempts: i64,
    /// It was being sent when its previous worker stopped: it may already have arrived.
    pub in_doubt: bool,
}

/// One language's message of a broadcast.
#[derive(Clone)]
struct Content {
    text: String,
    markup: Option<String>,
    photo: Option<i64>,
}

/// Where the messages of one broadcast (or all of them) stand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryStats {
    /// Waiting, or being sent right now.
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub blocked: i64,
}

/// A broadcast, for the officials' delivery report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BroadcastReport {
    pub id: i64,
    pub kind: String,
    pub subject: Option<String>,
    pub recipients: i64,
    pub created_at: i64,
    pub stats: DeliveryStats,
}

/// Everything an event pushes, written in the event's own transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pushes {
    pub notices: Vec<Notice>,
    pub broadcasts: Vec<Broadcast>,
    /// The language (`ko`/`en`) of followers whose language is unknown: the district's default.
    pub default_lang: &'static str,
}

impl Pushes {
    /// Personal notices only.
    pub fn notices(notices: Vec<Notice>, default_lang: &'static str) -> Pushes {
        Pushes { notices, broadcasts: Vec::new(), default_lang }
    }
}

/// Writes `pushes` inside the caller's transaction; returns how many messages were queued.
pub(crate) async fn queue_pushes_tx(conn: &mut AnyConnection, pushes: &Pushes, now: i64) -> StoreResult<i64> {
    let mut queued = 0;
    for notice in &pushes.notices {
        queued += queue_notice_tx(conn, notice, now).await?;
    }
    for broadcast in &pushes.broadcasts {
        queued += queue_broadcast_tx(conn, broadcast, pushes.default_lang, now).await?.1;
    }
    Ok(queued)
}

/// What `last_error` says of a row that was in flight when its worker stopped.
const IN_DOUBT: &str = "in flight when its worker stopped; sent again";

const PENDING: &str = "('queued', 'claimed', 'sending')";

/// Queues a personal notice inside the caller's transaction, unless the user blocked the bot;
/// returns 1 when queued, 0 when not.
pub(crate) async fn queue_notice_tx(conn: &mut AnyConnection, notice: &Notice, now: i64) -> StoreResult<i64> {
    let queued = sqlx::query(
        "INSERT INTO outbox (chat_id, lane, text, markup, state, attempts, next_at, created_at)
         SELECT $1, 0, $2, $3, 'queued', 0, $4, $4
         WHERE NOT EXISTS (SELECT 1 FROM users WHERE telegram_id = $1 AND blocked_at IS NOT NULL)",
    )
    .bind(notice.chat_id)
    .bind(&notice.text)
    .bind(notice.markup.as_deref())
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(i64::try_from(queued).unwrap_or(i64::MAX))
}

/// The `WHERE` condition on `users u` selecting an audience, with its parameters numbered from
/// `first`: users who can be reached and follow any of `audience`.
fn audience_filter(audience: &[Follow], exclude: Option<i64>, first: usize) -> (String, Vec<String>) {
    let mut params = Vec::new();
    let mut next = first;
    let mut param = |value: String, params: &mut Vec<String>| {
        params.push(value);
        let placeholder = format!("${next}");
        next += 1;
        placeholder
    };
    let mut followed = Vec::new();
    let mut any = Vec::new();
    for follow in audience {
        match follow {
            Follow::Dong(key) => {
                followed.push(format!("(s.kind = 'dong' AND s.target = {})", param(key.clone(), &mut params)))
            }
            Follow::AnyDong => followed.push("s.kind = 'dong'".to_owned()),
            Follow::District => followed.push(format!("(s.kind = 'district' AND s.target = '{DISTRICT_TARGET}')")),
            Follow::Project(id) => {
                followed.push(format!("(s.kind = 'project' AND s.target = {})", param(id.to_string(), &mut params)))
            }
            // Ids are plain integers: written inline, they keep every parameter a string.
            Follow::Going(meeting) => any.push(format!(
                "EXISTS (SELECT 1 FROM meeting_rsvps r
                         WHERE r.telegram_id = u.telegram_id AND r.meeting_id = {meeting} AND r.going = 1)"
            )),
        }
    }
    if !followed.is_empty() {
        any.push(format!(
            "EXISTS (SELECT 1 FROM subscriptions s WHERE s.telegram_id = u.telegram_id AND ({}))",
            followed.join(" OR ")
        ));
    }
    if any.is_empty() {
        any.push("1 = 0".to_owned());
    }
    let mut filter = format!("u.blocked_at IS NULL AND ({})", any.join(" OR "));
    if let Some(user) = exclude {
        filter.push_str(&format!(" AND u.telegram_id <> {user}"));
    }
    (filter, params)
}

/// Writes a broadcast and one outbox row per follower inside the caller's transaction, in a
/// single statement however many there are. Returns its id and how many will receive it.
pub(crate) async fn queue_broadcast_tx(
    conn: &mut AnyConnection,
    broadcast: &Broadcast,
    default_lang: &str,
    now: i64,
) -> StoreResult<(i64, i64)> {
    let mut photo_ids = (None, None);
    let mut insert = async |name: String, bytes: &[u8], file_id: Option<&str>| -> StoreResult<Option<i64>> {
        let id =
            sqlx::query("INSERT INTO media (name, bytes, file_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(name)
                .bind(bytes.to_vec())
                .bind(file_id)
                .bind(now)
                .fetch_one(&mut *conn)
                .await?
                .try_get("id")?;
        Ok(Some(id))
    };
    match &broadcast.photos {
        Some(Photos::Drawn { name, ko, en }) => {
            let (stem, extension) = name.rsplit_once('.').unwrap_or((name, "png"));
            let ko = insert(format!("{stem}-ko.{extension}"), ko, None).await?;
            photo_ids = (ko, insert(format!("{stem}-en.{extension}"), en, None).await?);
        }
        Some(Photos::Telegram { file_id }) => {
            let id = insert(format!("telegram-{}", broadcast.kind), &[], Some(file_id)).await?;
            photo_ids = (id, id);
        }
        None => {}
    }
    let id: i64 = sqlx::query(
        "INSERT INTO broadcasts (kind, subject, text_ko, text_en, markup_ko, markup_en, created_by, created_at,
                                 photo_ko, photo_en)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&broadcast.kind)
    .bind(broadcast.subject.as_deref())
    .bind(&broadcast.text_ko)
    .bind(&broadcast.text_en)
    .bind(broadcast.markup_ko.as_deref())
    .bind(broadcast.markup_en.as_deref())
    .bind(broadcast.created_by)
    .bind(now)
    .bind(photo_ids.0)
    .bind(photo_ids.1)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    let (filter, params) = audience_filter(&broadcast.audience, broadcast.exclude, 4);
    let statement = format!(
        "INSERT INTO outbox (chat_id, lane, broadcast_id, lang, state, attempts, next_at, created_at)
         SELECT u.telegram_id, 1, $1, COALESCE(u.language, $2), 'queued', 0, $3, $3
         FROM users u WHERE {filter}"
    );
    let mut query = sqlx::query(&statement).bind(id).bind(default_lang).bind(now);
    for p in &params {
        query = query.bind(p);
    }
    let recipients = i64::try_from(query.execute(&mut *conn).await?.rows_affected()).unwrap_or(i64::MAX);
    sqlx::query("UPDATE broadcasts SET recipients = $1 WHERE id = $2")
        .bind(recipients)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok((id, recipients))
}

impl Store {
    /// Queues personal notices on their own (no other event to write with them).
    pub async fn queue_notices(&self, notices: &[Notice], now: i64) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        for notice in notices {
            queue_notice_tx(&mut tx, notice, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// An official's announcement: the broadcast, its rows and the audit line, together. With
    /// `dialogue` (the official and the exact dialogue state it was confirmed from), that
    /// dialogue ends in the same transaction and `None` means it had already ended — a second
    /// tap on "send" sends nothing.
    pub async fn announce(
        &self,
        broadcast: &Broadcast,
        default_lang: &str,
        dialogue: Option<(i64, &str)>,
        now: i64,
    ) -> StoreResult<Option<(i64, i64)>> {
        let mut tx = self.write_tx().await?;
        if let Some((official, state)) = dialogue {
            let ended = sqlx::query("DELETE FROM dialogues WHERE telegram_id = $1 AND state = $2")
                .bind(official)
                .bind(state)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if ended != 1 {
                return Ok(None);
            }
        }
        let (id, recipients) = queue_broadcast_tx(&mut tx, broadcast, default_lang, now).await?;
        let detail = serde_json::json!({ "recipients": recipients, "subject": broadcast.subject }).to_string();
        insert_audit(&mut tx, now, broadcast.created_by, "broadcast.announce", Some(&id.to_string()), Some(&detail))
            .await?;
        tx.commit().await?;
        Ok(Some((id, recipients)))
    }

    /// How many users a broadcast to `audience` would reach now.
    pub async fn audience_size(&self, audience: &[Follow], exclude: Option<i64>) -> StoreResult<i64> {
        let (filter, params) = audience_filter(audience, exclude, 1);
        let statement = format!("SELECT COUNT(*) AS n FROM users u WHERE {filter}");
        let mut query = sqlx::query(&statement);
        for p in &params {
            query = query.bind(p);
        }
        Ok(query.fetch_one(&mut *self.conn().await?).await?.try_get("n")?)
    }

    /// Claims up to `limit` messages for `worker` until `lease_until`: personal ones first, then
    /// broadcasts, oldest first; a message only when no earlier one of its chat and lane is still
    /// waiting for a retry or in another worker's hands. Concurrent workers (replicas) never get
    /// the same row while a lease holds.
    pub async fn claim_outbox(
        &self,
        worker: &str,
        limit: i64,
        lease_until: i64,
        now: i64,
    ) -> StoreResult<Vec<OutgoingMessage>> {
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE OF o SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let statement = format!(
            "UPDATE outbox SET state = 'claimed', claimed_by = $1, lease_until = $2,
               last_error = CASE WHEN state = 'sending' THEN '{IN_DOUBT}' ELSE last_error END
             WHERE id IN (
               SELECT o.id FROM outbox o
               WHERE o.state IN {PENDING}
                 AND ((o.state = 'queued' AND o.next_at <= $3) OR (o.state <> 'queued' AND o.lease_until < $3))
                 AND NOT EXISTS (
                   SELECT 1 FROM outbox e
                   WHERE e.chat_id = o.chat_id AND e.lane = o.lane AND e.id < o.id AND e.state IN {PENDING}
                     AND ((e.state = 'queued' AND e.next_at > $3) OR (e.state <> 'queued' AND e.lease_until >= $3)))
               ORDER BY o.lane, o.id LIMIT $4 {lock})
             RETURNING id, chat_id, lane, broadcast_id, lang, text, markup, attempts, last_error"
        );
        let rows = sqlx::query(&statement)
            .bind(worker)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *self.write_conn().await?)
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let released = match self.backend() {
            Backend::Postgres => self.release_out_of_order(worker, lease_until).await?,
            Backend::Sqlite => Vec::new(),
        };
        let broadcast_ids: Vec<i64> =
            rows.iter().filter_map(|r| r.try_get::<Option<i64>, _>("broadcast_id").ok().flatten()).collect();
        let texts = self.broadcast_texts(&broadcast_ids).await?;
        let mut messages = Vec::with_capacity(rows.len());
        for row in &rows {
            let broadcast: Option<i64> = row.try_get("broadcast_id")?;
            let english = row.try_get::<Option<String>, _>("lang")?.as_deref() == Some("en");
            let Content { text, markup, photo } = match (row.try_get::<Option<String>, _>("text")?, broadcast) {
                (Some(text), _) => Content { text, markup: row.try_get("markup")?, photo: None },
                (None, Some(b)) => {
                    let t =
                        texts.get(&b).ok_or_else(|| super::StoreError::Corrupt(format!("broadcast {b} is missing")))?;
                    t[usize::from(english)].clone()
                }
                (None, None) => return Err(super::StoreError::Corrupt("an outbox row without text".into())),
            };
            messages.push(OutgoingMessage {
                id: row.try_get("id")?,
                chat_id: row.try_get("chat_id")?,
                lane: if row.try_get::<i64, _>("lane")? == 0 { Lane::Personal } else { Lane::Bulk },
                text,
                markup,
                photo,
                attempts: row.try_get("attempts")?,
                in_doubt: row.try_get::<Option<String>, _>("last_error")?.as_deref() == Some(IN_DOUBT),
            });
        }
        // Rows released for ordering are no longer this worker's.
        messages.retain(|m| !released.contains(&m.id));
        messages.sort_by_key(|m| (m.lane.code(), m.id));
        Ok(messages)
    }

    /// PostgreSQL: two workers claiming at once may each take a different row of one chat; the
    /// one holding the later row gives it back, so the chat's order holds. Returns the rows given
    /// back.
    async fn release_out_of_order(&self, worker: &str, lease_until: i64) -> StoreResult<Vec<i64>> {
        sqlx::query(&format!(
            "UPDATE outbox SET state = 'queued', claimed_by = NULL, lease_until = NULL
             WHERE id IN (
               SELECT o.id FROM outbox o
               WHERE o.claimed_by = $1 AND o.state = 'claimed' AND o.lease_until = $2
                 AND EXISTS (
                   SELECT 1 FROM outbox e
                   WHERE e.chat_id = o.chat_id AND e.lane = o.lane AND e.id < o.id AND e.state IN {PENDING}
                     AND (e.state <> 'claimed' OR e.claimed_by IS NULL OR e.claimed_by <> $1)))
             RETURNING id"
        ))
        .bind(worker)
        .bind(lease_until)
        .fetch_all(&mut *self.write_conn().await?)
        .await?
        .iter()
        .map(|r| Ok(r.try_get("id")?))
        .collect()
    }

    /// What each of the given broadcasts says, by id: `[Korean, English]`.
    async fn broadcast_texts(&self, ids: &[i64]) -> StoreResult<HashMap<i64, [Content; 2]>> {
        let mut unique = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let mut texts = HashMap::new();
        for id in unique {
            let row = sqlx::query(
                "SELECT text_ko, text_en, markup_ko, markup_en, photo_ko, photo_en FROM broadcasts WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&mut *self.conn().await?)
            .await?;
            let content = |lang: &str| -> StoreResult<Content> {
                Ok(Content {
                    text: row.try_get(format!("text_{lang}").as_str())?,
                    markup: row.try_get(format!("markup_{lang}").as_str())?,
                    photo: row.try_get(format!("photo_{lang}").as_str())?,
                })
            };
            texts.insert(id, [content("ko")?, content("en")?]);
        }
        Ok(texts)
    }

    /// A picture to send: its file id once Telegram has it, else its bytes to upload.
    pub async fn media(&self, id: i64) -> StoreResult<Option<Media>> {
        let row = sqlx::query("SELECT file_id FROM media WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        let Some(row) = row else { return Ok(None) };
        if let Some(file_id) = row.try_get::<Option<String>, _>("file_id")? {
            return Ok(Some(Media::FileId(file_id)));
        }
        let row = sqlx::query("SELECT name, bytes FROM media WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(Some(Media::Upload { name: row.try_get("name")?, bytes: row.try_get("bytes")? }))
    }

    /// The most recent picture of that file name (`results-12-ko.png`).
    pub async fn media_named(&self, name: &str) -> StoreResult<Option<i64>> {
        let row = sqlx::query("SELECT MAX(id) AS id FROM media WHERE name = $1")
            .bind(name)
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(row.try_get("id")?)
    }

    /// Keeps the file id Telegram gave an uploaded picture, for every later message to reuse.
    pub async fn set_media_file_id(&self, id: i64, file_id: &str) -> StoreResult<()> {
        sqlx::query("UPDATE media SET file_id = $1 WHERE id = $2 AND file_id IS NULL")
            .bind(file_id)
            .bind(id)
            .execute(&mut *self.write_conn().await?)
            .await?;
        Ok(())
    }

    /// Marks a claimed row as being sent right now, extending the lease; `false` when `worker`
    /// no longer holds it (another worker took it over), and it must not be sent.
    pub async fn start_sending(&self, id: i64, worker: &str, lease_until: i64) -> StoreResult<bool> {
        let started = sqlx::query(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, lease_until = $3
             WHERE id = $1 AND claimed_by = $2 AND state = 'claimed'",
        )
        .bind(id)
        .bind(worker)
        .bind(lease_until)
        .execute(&mut *self.write_conn().await?)
        .await?
        .rows_affected();
        Ok(started == 1)
    }

    /// Telegram accepted the message. The chat's next message waits at least until `chat_free`
    /// (whole seconds), so that another replica does not send it right after this one.
    pub async fn mark_sent(
        &self,
        message: &OutgoingMessage,
        worker: &str,
        message_id: Option<i64>,
        now: i64,
        chat_free: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET state = 'sent', sent_at = $3, message_id = $4, claimed_by = NULL, lease_until = NULL
             WHERE id = $1 AND claimed_by = $2 AND state = 'sending'",
        )
        .bind(message.id)
        .bind(worker)
        .bind(now)
        .bind(message_id)
        .execute(&mut *self.write_conn().await?)
        .await?
        .rows_affected();
        if chat_free > now {
            sqlx::query("UPDATE outbox SET next_at = $2 WHERE chat_id = $1 AND state = 'queued' AND next_at < $2")
                .bind(message.chat_id)
                .bind(chat_free)
                .execute(&mut *self.write_conn().await?)
                .await?;
        }
        Ok(done == 1)
    }

    /// Puts a row back in the queue until `next_at`, with the reason it did not go out. An
    /// attempt that was not the message's fault (Telegram asked to slow down) is not counted.
    pub async fn retry_later(
        &self,
        id: i64,
        worker: &str,
        next_at: i64,
        reason: &str,
        count_attempt: bool,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET state = 'queued', next_at = $3, last_error = $4, claimed_by = NULL, lease_until = NULL,
               attempts = attempts - $5
             WHERE id = $1 AND claimed_by = $2 AND state IN ('claimed', 'sending')",
        )
        .bind(id)
        .bind(worker)
        .bind(next_at)
        .bind(reason)
        .bind(if count_attempt { 0_i64 } else { 1_i64 })
        .execute(&mut *self.write_conn().await?)
        .await?;
        Ok(())
    }

    /// Gives up on a row for good.
    pub async fn mark_failed(&self, id: i64, worker: &str, reason: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET state = 'failed', last_error = $3, claimed_by = NULL, lease_until = NULL
             WHERE id = $1 AND claimed_by = $2 AND state IN ('claimed', 'sending')",
        )
        .bind(id)
        .bind(worker)
        .bind(reason)
        .execute(&mut *self.write_conn().await?)
        .await?;
        Ok(())
    }

    /// The user blocked the bot (or left Telegram): they are marked inactive, nothing more is
    /// queued for them, and what was waiting is marked blocked.
    pub async fn mark_blocked(&self, chat_id: i64, reason: &str, now: i64) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET blocked_at = $2 WHERE telegram_id = $1")
            .bind(chat_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!(
            "UPDATE outbox SET state = 'blocked', last_error = $2, claimed_by = NULL, lease_until = NULL
             WHERE chat_id = $1 AND state IN {PENDING}"
        ))
        .bind(chat_id)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.recent.forget(&chat_id);
        Ok(())
    }

    /// Hands back every row `worker` claimed but has not started sending (on shutdown, or when
    /// a 429 pauses delivery), without counting an attempt.
    pub async fn release_claims(&self, worker: &str) -> StoreResult<u64> {
        Ok(sqlx::query(
            "UPDATE outbox SET state = 'queued', claimed_by = NULL, lease_until = NULL
             WHERE claimed_by = $1 AND state = 'claimed'",
        )
        .bind(worker)
        .execute(&mut *self.write_conn().await?)
        .await?
        .rows_affected())
    }

    /// Hands back one claimed row that was not started.
    pub async fn release_claim(&self, id: i64, worker: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET state = 'queued', claimed_by = NULL, lease_until = NULL
             WHERE id = $1 AND claimed_by = $2 AND state = 'claimed'",
        )
        .bind(id)
        .bind(worker)
        .execute(&mut *self.write_conn().await?)
        .await?;
        Ok(())
    }

    /// Where the messages of one broadcast stand.
    pub async fn broadcast_stats(&self, broadcast_id: i64) -> StoreResult<DeliveryStats> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM outbox WHERE broadcast_id = $1 GROUP BY state")
            .bind(broadcast_id)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        let mut stats = DeliveryStats::default();
        for row in rows {
            let n: i64 = row.try_get("n")?;
            match row.try_get::<String, _>("state")?.as_str() {
                "sent" => stats.sent += n,
                "failed" => stats.failed += n,
                "blocked" => stats.blocked += n,
                _ => stats.queued += n,
            }
        }
        Ok(stats)
    }

    /// The latest broadcasts, newest first, with their delivery figures.
    pub async fn recent_broadcasts(&self, limit: i64) -> StoreResult<Vec<BroadcastReport>> {
        let rows =
            sqlx::query("SELECT id, kind, subject, recipients, created_at FROM broadcasts ORDER BY id DESC LIMIT $1")
                .bind(limit)
                .fetch_all(&mut *self.conn().await?)
                .await?;
        let mut reports = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("id")?;
            reports.push(BroadcastReport {
                id,
                kind: row.try_get("kind")?,
                subject: row.try_get("subject")?,
                recipients: row.try_get("recipients")?,
                created_at: row.try_get("created_at")?,
                stats: self.broadcast_stats(id).await?,
            });
        }
        Ok(reports)
    }

    /// The texts waiting for or sent to one chat, oldest first, with their state — what a
    /// resident was (or will be) told.
    pub async fn outbox_for(&self, chat_id: i64) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT o.state, COALESCE(o.text, CASE WHEN o.lang = 'en' THEN b.text_en ELSE b.text_ko END) AS text
             FROM outbox o LEFT JOIN broadcasts b ON b.id = o.broadcast_id
             WHERE o.chat_id = $1 ORDER BY o.id",
        )
        .bind(chat_id)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("state")?, r.try_get("text")?))).collect()
    }
}
