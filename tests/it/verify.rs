//! `/verify` by phone and by code, the age rule, unbinding, `/mydata`, `/forgetme`, and what the
//! database may never hold.

use pb_bot::store::{CodeLimits, RedeemOutcome};
use teloxide::types::ReplyMarkup;

use crate::helpers::*;

fn removes_keyboard(bot: &Bot) -> bool {
    bot.get_responses()
        .sent_messages_text
        .last()
        .is_some_and(|m| matches!(m.bot_request.reply_markup, Some(ReplyMarkup::KeyboardRemove(_))))
}

#[tokio::test]
async fn a_resident_on_the_roll_verifies_by_sharing_their_own_phone() {
    let world = World::new().await;
    world.roll("sinchon", &[("010-1234-5678", Some(1980))]).await;
    let kim = user(KIM, "ko");
    let mut bot = world.bot(text(&kim, "/verify"));
    bot.dispatch().await;
    let intro = &bot.get_responses().sent_messages_text[0];
    assert!(intro.message.text().unwrap().starts_with("우선순위 투표는 본인 확인된 주민만 할 수 있어요."));
    let Some(ReplyMarkup::Keyboard(keyboard)) = &intro.bot_request.reply_markup else { panic!("a share button") };
    assert_eq!(keyboard.keyboard[0][0].text, "📱 내 전화번호 공유");

    // Telegram shares the number without "+", as 82…
    bot.update(contact(&kim, "821012345678", Some(KIM)));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "신촌동 주민으로 인증되었어요. 앞으로 우리 동 소식을 알려 드릴게요.");
    assert!(removes_keyboard(&bot));
    let resident = world.store.resident(KIM as i64).await.unwrap().unwrap();
    assert_eq!((resident.dong_key.as_str(), resident.method.as_str()), ("sinchon", "phone"));
    assert_eq!(world.store.subscriptions(KIM as i64).await.unwrap(), [("dong".to_owned(), "sinchon".to_owned())]);

    bot.update(text(&kim, "/verify"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "이미 신촌동 주민으로 인증되어 있어요.");

    // Nowhere in the database is the phone number in clear.
    let stored = world.all_stored_text().await;
    for shape in ["1012345678", "010-1234-5678", "01012345678", "+821012345678"] {
        assert!(!stored.contains(shape), "{shape} is stored in clear");
    }
}

#[tokio::test]
async fn contacts_that_are_not_the_senders_own_are_refused() {
    let world = World::new().await;
    world.roll("sinchon", &[("010-1234-5678", None)]).await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(contact(&alex, "+82 10 1234 5678", Some(KIM)));
    bot.dispatch().await;
    let refusal = "That is not your own phone number. Please tap “Share my phone number” under /verify — a forwarded or typed contact can't be accepted.";
    assert_eq!(last_text(&bot), refusal);
    bot.update(contact(&alex, "+82 10 1234 5678", None));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), refusal, "a typed contact or vCard has no account behind it");
    assert!(world.store.resident(ALEX as i64).await.unwrap().is_none());

    bot.update(contact(&alex, "+1 415 555 2671", Some(ALEX)));
    bot.dispatch().await;
    assert_eq!(
        last_text(&bot),
        "Only Korean phone numbers are on the resident roll. Please ask your community service centre for a verification code."
    );
    bot.update(contact(&alex, "+82 10 9999 0000", Some(ALEX)));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("Your number is not on the resident roll."));
    assert!(world.store.resident(ALEX as i64).await.unwrap().is_none());
}

#[tokio::test]
async fn a_roll_entry_binds_one_account_until_an_official_unbinds_it() {
    let world = World::new().await;
    world.roll("yeonhui", &[("010-2222-3333", None)]).await;
    let (kim, alex) = (user(KIM, "ko"), user(ALEX, "en"));
    let mut bot = world.bot(contact(&kim, "01022223333", Some(KIM)));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("연희동 주민으로 인증되었어요."));

    // The same number from a second account (a new phone, or someone else).
    bot.update(contact(&alex, "010-2222-3333", Some(ALEX)));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("This resident is already verified with another Telegram account."));
    assert!(world.store.resident(ALEX as i64).await.unwrap().is_none());

    assert!(world.store.unbind_resident(KIM as i64, Some(OFFICIAL as i64), 5).await.unwrap());
    let unbinds: Vec<_> =
        world.store.audit_log().await.unwrap().into_iter().filter(|e| e.action == "resident.unbind").collect();
    assert_eq!((unbinds.len(), unbinds[0].actor_id), (1, Some(OFFICIAL as i64)));
    bot.update(contact(&alex, "010-2222-3333", Some(ALEX)));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "You are verified as a resident of Yeonhui-dong. You will get news of your dong.");
}

#[tokio::test]
async fn the_minimum_age_applies_where_the_roll_has_a_birth_year() {
    let world = World::new().await;
    let this_year = chrono::Datelike::year(&chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul));
    world.roll("sinchon", &[("010-1000-0001", Some(this_year - 13)), ("010-1000-0002", Some(this_year - 14))]).await;
    let (kim, alex) = (user(KIM, "ko"), user(ALEX, "en"));
    let mut bot = world.bot(contact(&kim, "010-1000-0001", Some(KIM)));
    bot.dispatch().await;
    assert_eq!(
        last_text(&bot),
        "주민참여예산은 14세 이상 주민이 참여할 수 있어요. 명부상 올해 아직 14세가 되지 않으셨어요."
    );
    assert!(world.store.resident(KIM as i64).await.unwrap().is_none());
    bot.update(contact(&alex, "010-1000-0002", Some(ALEX)));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("You are verified"));
}

#[tokio::test]
async fn codes_verify_once_whatever_their_spelling() {
    let world = World::new().await;
    let codes = world.codes("hongje1", 2, i64::MAX / 2).await;
    let (kim, alex) = (user(KIM, "ko"), user(ALEX, "en"));
    let typed = format!(" {} ", codes[0].to_lowercase().replace('-', " "));
    let mut bot = world.bot(text(&kim, &format!("/verify {typed}")));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "홍제1동 주민으로 인증되었어요. 앞으로 우리 동 소식을 알려 드릴게요.");
    assert_eq!(world.store.resident(KIM as i64).await.unwrap().unwrap().method, "code");

    // Typing the code after /verify works too; a used code is refused.
    bot.update(text(&alex, "/verify"));
    bot.dispatch().await;
    bot.update(text(&alex, &codes[0]));
    bot.dispatch().await;
    assert_eq!(
        last_text(&bot),
        "That code has already been used. Please ask your community service centre for a new one."
    );
    bot.update(text(&alex, "not a code"));
    bot.dispatch().await;
    assert_eq!(
        last_text(&bot),
        "A verification code has 8 letters and digits, e.g. ABCD-EFGH. Please check it and type it again."
    );
    bot.update(text(&alex, &codes[1]));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "You are verified as a resident of Hongje 1-dong. You will get news of your dong.");
    assert!(removes_keyboard(&bot));

    let stored = world.all_stored_text().await;
    for code in &codes {
        assert!(!stored.contains(&code.replace('-', "")) && !stored.contains(code.as_str()), "{code} stored in clear");
    }
}

#[tokio::test]
async fn expired_codes_are_refused() {
    let world = World::new().await;
    let codes = world.codes("sinchon", 1, 1_000).await;
    let mut bot = world.bot(text(&user(ALEX, "en"), &format!("/verify {}", codes[0])));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "That code has expired. Please ask your community service centre for a new one.");
}

#[tokio::test]
async fn wrong_codes_lock_the_account_out_for_a_while() {
    let world = World::new().await;
    let codes = world.codes("sinchon", 1, i64::MAX / 2).await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(text(&alex, "/verify"));
    bot.dispatch().await;
    let mut replies = Vec::new();
    for _ in 0..5 {
        bot.update(text(&alex, "ZZZZ-ZZZZ"));
        bot.dispatch().await;
        replies.push(last_text(&bot));
    }
    assert_eq!(replies[0], "That code is not valid. You can try 4 more times.");
    assert_eq!(
        replies[3],
        "That code is not valid. One more wrong code and code verification will be locked for a while."
    );
    assert!(replies[4].starts_with("Too many wrong codes. You can try a code again from "), "{}", replies[4]);
    // Even the right code is refused during the lockout.
    bot.update(text(&alex, &codes[0]));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("Too many wrong codes."));
    assert!(world.store.resident(ALEX as i64).await.unwrap().is_none());

    // When the lockout ends (an hour later), the right code works.
    let until = world.store.code_lockout(ALEX as i64, chrono::Utc::now().timestamp()).await.unwrap().expect("locked");
    let limits = CodeLimits { max_failures: 5, lockout_seconds: 3600 };
    let hash = world.secret.code_hash(&pb_bot::domain::verification::Code::parse(&codes[0]).unwrap());
    assert!((until - chrono::Utc::now().timestamp() - 3600).abs() < 60, "locked for an hour");
    let outcome = world.store.redeem_code(ALEX as i64, &hash, limits, until + 1).await.unwrap();
    assert_eq!(outcome, RedeemOutcome::Verified { dong_key: "sinchon".into() });
}

#[tokio::test]
async fn mydata_shows_everything_and_forgetme_deletes_it() {
    let world = World::new().await;
    world.roll("sinchon", &[("010-1234-5678", None)]).await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(contact(&alex, "010-1234-5678", Some(ALEX)));
    bot.dispatch().await;
    let id = world.seed(ALEX, "sinchon", "Bench", 1_000_000).await;

    bot.update(text(&alex, "/mydata"));
    bot.dispatch().await;
    let data = last_text(&bot);
    assert!(data.starts_with("Everything this bot keeps about you:\n\nLanguage: from your Telegram app (en)\nVerified: resident of Sinchon-dong, by phone number"), "{data}");
    assert!(data.contains("News you follow: Sinchon-dong"), "{data}");
    assert!(data.contains(&format!("Your proposals: #{id} Bench (under review)")), "{data}");
    assert!(data.contains("Ballots: you have not voted in any ballot round."), "{data}");

    bot.update(text(&alex, "/forgetme"));
    bot.dispatch().await;
    let ask = last_sent(&bot);
    bot.update(press(&alex, &ask, &button_data(&ask, "No, keep it")));
    bot.dispatch().await;
    assert_eq!(edited(&bot), ["Nothing was deleted."]);
    assert!(world.store.resident(ALEX as i64).await.unwrap().is_some());

    bot.update(press(&alex, &ask, &button_data(&ask, "Yes, delete my data")));
    bot.dispatch().await;
    assert_eq!(
        edited(&bot),
        ["Done. Everything personal about you has been deleted. If you write again, you start afresh."]
    );

    use sqlx::Row;
    let pool = world.raw().await;
    for table in ["users", "residents", "subscriptions", "dialogues", "code_attempts"] {
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table} WHERE telegram_id = $1"))
            .bind(ALEX as i64)
            .fetch_one(&pool)
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
        assert_eq!(n, 0, "{table} still holds the user");
    }
    let proposal = world.store.proposal(id).await.unwrap().unwrap();
    assert_eq!((proposal.title.as_str(), proposal.proposer_id), ("Bench", None), "the proposal stays, unlinked");
    let alex_id = ALEX.to_string();
    assert!(!world.all_stored_text().await.lines().any(|value| value == alex_id), "the Telegram id is gone everywhere");

    // The roll entry is free again for the same resident's new account.
    bot.update(contact(&user(KIM, "ko"), "010-1234-5678", Some(KIM)));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("신촌동 주민으로 인증되었어요."));
}

#[tokio::test]
async fn officials_issue_codes_and_unbind_residents_from_chat() {
    use sqlx::Row;
    let world = World::new().await;
    world.roll("sinchon", &[("010-1234-5678", None)]).await;
    let official = user(OFFICIAL, "en");
    let kim = user(KIM, "ko");
    let mut bot = world.bot(contact(&kim, "010-1234-5678", Some(KIM)));
    bot.dispatch().await;

    bot.update(text(&official, "/admin"));
    bot.dispatch().await;
    let menu = last_sent(&bot);
    bot.update(press(&official, &menu, &button_data(&menu, "Verification codes")));
    bot.dispatch().await;
    let dongs = bot.get_responses().edited_messages_text[0].message.clone();
    assert!(buttons(&dongs).iter().all(|(label, _)| label != "District-wide"), "codes are per dong");
    bot.update(press(&official, &dongs, &button_data(&dongs, "Yeonhui-dong")));
    bot.dispatch().await;
    let counts = bot.get_responses().edited_messages_text[0].message.clone();
    assert_eq!(edited(&bot), ["How many codes for Yeonhui-dong?"]);
    bot.update(press(&official, &counts, &button_data(&counts, "10")));
    bot.dispatch().await;
    let document = bot.get_responses().sent_messages_document.last().cloned().expect("a CSV document");
    let caption = document.message.caption().unwrap_or_default().to_owned();
    assert!(caption.starts_with("10 verification codes for Yeonhui-dong, valid until "), "{caption}");
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM verification_codes WHERE dong_key = 'yeonhui'")
        .fetch_one(&world.raw().await)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(n, 10);
    let issued: Vec<_> =
        world.store.audit_log().await.unwrap().into_iter().filter(|e| e.action == "codes.issue").collect();
    assert_eq!((issued.len(), issued[0].actor_id), (1, Some(OFFICIAL as i64)));

    // A resident cannot reach these buttons, even forwarded.
    bot.update(press_detached(&kim, "ad:ci:yeonhui:100"));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["구청 담당 공무원만 사용할 수 있는 기능이에요."]);

    bot.update(press(&official, &menu, &button_data(&menu, "Unbind a resident")));
    bot.dispatch().await;
    bot.update(text(&official, "010 1234 5678"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "Unbound. The resident can verify again.");
    assert!(world.store.resident(KIM as i64).await.unwrap().is_none());
    bot.update(press(&official, &menu, &button_data(&menu, "Unbind a resident")));
    bot.dispatch().await;
    bot.update(text(&official, "010 1234 5678"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "No verified resident matches that number or id.");
}

#[tokio::test]
async fn a_verified_resident_can_opt_out_of_their_dongs_news() {
    let world = World::new().await;
    world.roll("sinchon", &[("010-1234-5678", None)]).await;
    let kim = user(KIM, "ko");
    let mut bot = world.bot(text(&kim, "/unsubscribe"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "알림 받는 소식이 없어요.");
    bot.update(contact(&kim, "010-1234-5678", Some(KIM)));
    bot.dispatch().await;
    bot.update(text(&kim, "/unsubscribe"));
    bot.dispatch().await;
    let menu = last_sent(&bot);
    assert_eq!(buttons(&menu), [("신촌동".to_owned(), "us:d:sinchon".to_owned())]);
    bot.update(press(&kim, &menu, "us:d:sinchon"));
    bot.dispatch().await;
    assert_eq!(edited(&bot), ["이제 신촌동 소식은 보내 드리지 않아요."]);
    assert!(world.store.subscriptions(KIM as i64).await.unwrap().is_empty());
    assert!(world.store.resident(KIM as i64).await.unwrap().is_some(), "still verified");
    bot.update(press(&kim, &menu, "us:d:sinchon"));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["지난 메시지의 버튼이에요. 가장 최근 메시지에서 다시 눌러 주세요."]);
}
