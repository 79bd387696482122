//! How many residents' updates the bot has in hand at once.
//!
//! The update listener takes a place before it hands the dispatcher a message or a button press,
//! and the update's handler gives the place back when it ends (also on an error or a panic).
//! Beyond [`UPDATES_AT_ONCE`], updates wait where they cost nothing: at Telegram, or in the
//! listener's last batch.
//!
//! Admitting them all and queueing inside would hold a handler, an HTTP connection and a
//! dispatcher worker for each. teloxide keeps a worker (with a 62 KB queue) for as many chats as
//! were ever in hand at once, so a burst of 2,000 residents left the bot about 120 MB larger for
//! good; admitted here, it keeps at most [`UPDATES_AT_ONCE`] of them.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use futures_util::{StreamExt, stream::BoxStream};
use teloxide::{
    stop::StopToken,
    types::{AllowedUpdate, Update, UpdateKind},
    update_listeners::{AsUpdateStream, UpdateListener},
};
use tokio::sync::Semaphore;

/// How many updates are handled at once; the rest wait their turn, first come first served.
/// Each update in hand holds its handler, its database work and an HTTP connection to the Bot
/// API (HTTP/1.1: one request at a time each). At Telegram's round trip of about 0.1 s this
/// still answers a couple of thousand updates a second.
pub const UPDATES_AT_ONCE: usize = 256;

/// The places for updates in hand.
pub struct Intake {
    places: Semaphore,
    /// Places taken and not yet given back.
    taken: AtomicUsize,
}

impl Intake {
    pub fn new(places: usize) -> Arc<Intake> {
        Arc::new(Intake { places: Semaphore::new(places), taken: AtomicUsize::new(0) })
    }

    /// Waits for a free place and takes it.
    async fn admit(&self) {
        // The semaphore is never closed, so acquiring fails only in theory; then nothing is taken.
        if let Ok(place) = self.places.acquire().await {
            place.forget();
            self.taken.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Held by a handler while it works on an admitted update; gives the place back when dropped.
    /// A handler run without the listener (in tests) finds no place taken and gives none back.
    pub fn turn(&self) -> Turn<'_> {
        Turn(self)
    }

    /// Updates in hand now.
    #[cfg(test)]
    fn in_hand(&self) -> usize {
        self.taken.load(Ordering::Acquire)
    }

    /// `listener`, handing over a message or a button press only when a place is free.
    pub fn admitting<L>(self: &Arc<Self>, listener: L) -> Admitting<L> {
        Admitting { listener, intake: self.clone() }
    }
}

/// A handler's hold on its update's place.
pub struct Turn<'a>(&'a Intake);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let intake = self.0;
        if intake.taken.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1)).is_ok() {
            intake.places.add_permits(1);
        }
    }
}

/// The kinds of update the handler tree answers.
const ANSWERED: [AllowedUpdate; 2] = [AllowedUpdate::Message, AllowedUpdate::CallbackQuery];

/// Whether an update takes a place: those the handler tree answers (and so gives back).
fn takes_place(update: &Update) -> bool {
    matches!(update.kind, UpdateKind::Message(_) | UpdateKind::CallbackQuery(_))
}

/// An update listener behind an [`Intake`].
pub struct Admitting<L> {
    listener: L,
    intake: Arc<Intake>,
}

impl<'a, L> AsUpdateStream<'a> for Admitting<L>
where
    L: UpdateListener + 'static,
    L::Err: Send,
{
    type StreamErr = L::Err;
    type Stream = BoxStream<'a, Result<Update, L::Err>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        let intake = self.intake.clone();
        self.listener
            .as_stream()
            .then(move |update| {
                let intake = intake.clone();
                async move {
                    if update.as_ref().is_ok_and(takes_place) {
                        intake.admit().await;
                    }
                    update
                }
            })
            .boxed()
    }
}

impl<L> UpdateListener for Admitting<L>
where
    L: UpdateListener + 'static,
    L::Err: Send,
{
    type Err = L::Err;

    fn stop_token(&mut self) -> StopToken {
        self.listener.stop_token()
    }

    /// Only what the handler tree answers is asked of Telegram, whatever the dispatcher hints:
    /// its one endpoint tells nothing of the kinds it takes.
    fn hint_allowed_updates(&mut self, _hint: &mut dyn Iterator<Item = AllowedUpdate>) {
        self.listener.hint_allowed_updates(&mut ANSWERED.iter().cloned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_place_is_given_back_once_and_only_if_taken() {
        let intake = Intake::new(2);
        intake.admit().await;
        intake.admit().await;
        assert_eq!(intake.in_hand(), 2);
        // A third waits until a turn ends.
        let third = tokio::time::timeout(std::time::Duration::from_millis(50), intake.admit()).await;
        assert!(third.is_err(), "no place is free");
        drop(intake.turn());
        assert_eq!(intake.in_hand(), 1);
        intake.admit().await;
        assert_eq!(intake.in_hand(), 2);
        drop(intake.turn());
        drop(intake.turn());
        // Turns without an admitted update (a handler run directly) give nothing back.
        drop(intake.turn());
        assert_eq!(intake.in_hand(), 0);
        assert_eq!(intake.places.available_permits(), 2);
    }

    fn message(id: i32) -> Update {
        // Read from text, as from Telegram (teloxide does not read an update from a `Value`).
        let json = serde_json::json!({ "update_id": id, "message": {
            "message_id": id, "date": 0, "text": "/start",
            "chat": { "id": 1, "type": "private", "first_name": "Resident" },
            "from": { "id": 1, "is_bot": false, "first_name": "Resident" } } });
        serde_json::from_str(&json.to_string()).unwrap()
    }

    #[tokio::test]
    async fn the_listener_hands_over_no_more_updates_than_there_are_places() {
        use std::time::Duration;
        use teloxide::update_listeners::StatefulListener;
        type State = (Vec<Result<Update, std::convert::Infallible>>, StopToken);

        let intake = Intake::new(2);
        let (token, _flag) = teloxide::stop::mk_stop_token();
        let updates = (1..=3).map(|id| Ok(message(id))).collect();
        let listener = StatefulListener::new(
            (updates, token),
            |state: &mut State| futures_util::stream::iter(std::mem::take(&mut state.0)),
            |state: &mut State| state.1.clone(),
        );
        let mut admitting = intake.admitting(listener);
        let mut stream = admitting.as_stream();
        for id in 1..=2 {
            assert_eq!(stream.next().await.unwrap().unwrap().id.0, id);
        }
        assert!(tokio::time::timeout(Duration::from_millis(50), stream.next()).await.is_err(), "the third waits");
        drop(intake.turn());
        assert_eq!(stream.next().await.unwrap().unwrap().id.0, 3);
        assert!(stream.next().await.is_none());
        assert_eq!(intake.in_hand(), 2);
    }

    #[test]
    fn telegram_is_asked_for_messages_and_button_presses_only() {
        use teloxide::update_listeners::StatefulListener;
        type State = (Vec<AllowedUpdate>, StopToken);

        let (token, _flag) = teloxide::stop::mk_stop_token();
        let listener = StatefulListener::new_with_hints(
            (Vec::new(), token),
            |_: &mut State| futures_util::stream::empty::<Result<Update, std::convert::Infallible>>(),
            |state: &mut State| state.1.clone(),
            Some(|state: &mut State, hint: &mut dyn Iterator<Item = AllowedUpdate>| state.0 = hint.collect()),
        );
        let mut admitting = Intake::new(1).admitting(listener);
        // The dispatcher hints every kind for a tree whose endpoint does not say.
        admitting.hint_allowed_updates(&mut [AllowedUpdate::Message, AllowedUpdate::ChatMember].into_iter());
        assert_eq!(admitting.listener.state.0, [AllowedUpdate::Message, AllowedUpdate::CallbackQuery]);
    }
}
