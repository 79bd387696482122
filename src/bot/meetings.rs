//! What residents are told about meetings, in each language. Used from `/admin` and from
//! `pb-bot admin meetings import` alike.

use chrono::DateTime;

use crate::{
    args,
    config::Config,
    domain::AreaKind,
    i18n::{Lang, Locales},
    store::{Broadcast, Follow, Meeting, Pushes},
};

/// Who hears of a meeting: its dong's followers, or for a district meeting everyone following
/// the district or any dong.
pub fn audience(config: &Config, meeting: &Meeting) -> Vec<Follow> {
    match config.area(&meeting.area_key).map(|a| a.kind) {
        Some(AreaKind::Dong) => vec![Follow::Dong(meeting.area_key.clone())],
        _ => vec![Follow::District, Follow::AnyDong],
    }
}

/// The announcement of a newly scheduled meeting, in `lang`.
pub fn scheduled_text(config: &Config, locales: &Locales, lang: Lang, meeting: &Meeting) -> String {
    let area = match config.area(&meeting.area_key) {
        Some(a) if lang == Lang::En => a.name_en.clone(),
        Some(a) => a.name_ko.clone(),
        None => meeting.area_key.clone(),
    };
    let at = |ts: i64| lang.datetime(DateTime::from_timestamp(ts, 0).unwrap_or_default());
    let venue = match (lang, &meeting.venue_en) {
        (Lang::En, Some(english)) => english.clone(),
        _ => meeting.venue_ko.clone(),
    };
    let mut text = locales.text(
        lang,
        "meeting-scheduled",
        args![
            ("area", area),
            ("stage", locales.plain(lang, &format!("meeting-stage-{}", meeting.stage))),
            ("when", at(meeting.starts_at)),
            ("until", at(meeting.ends_at)),
            ("venue", venue)
        ],
    );
    if let Some(capacity) = meeting.capacity {
        text.push('\n');
        text.push_str(&locales.text(lang, "meeting-capacity", args![("capacity", capacity)]));
    }
    if let Some(notes) = &meeting.notes {
        text.push('\n');
        text.push_str(&locales.text(lang, "meeting-notes", args![("notes", notes.clone())]));
    }
    super::fit(text)
}

/// The pushes that announce a newly scheduled meeting.
pub fn scheduled_pushes(config: &Config, locales: &Locales, meeting: &Meeting, official: Option<i64>) -> Pushes {
    Pushes {
        notices: Vec::new(),
        broadcasts: vec![Broadcast {
            kind: "meeting-scheduled".into(),
            subject: Some(meeting.id.to_string()),
            text_ko: scheduled_text(config, locales, Lang::Ko, meeting),
            text_en: scheduled_text(config, locales, Lang::En, meeting),
            markup_ko: None,
            markup_en: None,
            audience: audience(config, meeting),
            exclude: None,
            created_by: official,
        }],
        default_lang: config.default_language.code(),
    }
}
