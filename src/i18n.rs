//! Korean and English: Fluent bundles, and money and dates shown the way each language reads them.
//!
//! The `.ftl` files under `locales/` are compiled into the binary, so the bot runs from any
//! directory; a test checks that both languages carry exactly the same message ids.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Asia::Seoul;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use unic_langid::LanguageIdentifier;

use crate::domain::Won;

/// A language the bot speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Ko,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ko, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    /// `ko`, `ko-KR` → Korean; `en`, `en-GB` → English; anything else → `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ko" => Some(Lang::Ko),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Money as this language reads it: `1억 2,000만 원` or `₩120,000,000`.
    pub fn money(self, amount: Won) -> String {
        match self {
            Lang::Ko => amount.format_ko(),
            Lang::En => amount.format_en(),
        }
    }

    /// An instant in the district's time zone: `2026년 12월 3일 (목) 19:00` or
    /// `Thu 3 Dec 2026, 19:00`.
    pub fn datetime(self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&Seoul);
        let (y, m, d, h, min) = (local.year(), local.month(), local.day(), local.hour(), local.minute());
        let weekday = local.weekday().num_days_from_monday() as usize;
        match self {
            Lang::Ko => {
                const DAYS: [&str; 7] = ["월", "화", "수", "목", "금", "토", "일"];
                format!("{y}년 {m}월 {d}일 ({}) {h:02}:{min:02}", DAYS[weekday])
            }
            Lang::En => {
                const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
                const MONTHS: [&str; 12] =
                    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
                format!("{} {d} {} {y}, {h:02}:{min:02}", DAYS[weekday], MONTHS[m as usize - 1])
            }
        }
    }
}

/// The message files compiled into the binary, by language.
const SOURCES: [(Lang, &str, &str); 16] = [
    (Lang::Ko, "locales/ko/main.ftl", include_str!("../locales/ko/main.ftl")),
    (Lang::Ko, "locales/ko/admin.ftl", include_str!("../locales/ko/admin.ftl")),
    (Lang::Ko, "locales/ko/verify.ftl", include_str!("../locales/ko/verify.ftl")),
    (Lang::Ko, "locales/ko/notify.ftl", include_str!("../locales/ko/notify.ftl")),
    (Lang::Ko, "locales/ko/meetings.ftl", include_str!("../locales/ko/meetings.ftl")),
    (Lang::Ko, "locales/ko/vote.ftl", include_str!("../locales/ko/vote.ftl")),
    (Lang::Ko, "locales/ko/results.ftl", include_str!("../locales/ko/results.ftl")),
    (Lang::Ko, "locales/ko/execution.ftl", include_str!("../locales/ko/execution.ftl")),
    (Lang::En, "locales/en/main.ftl", include_str!("../locales/en/main.ftl")),
    (Lang::En, "locales/en/admin.ftl", include_str!("../locales/en/admin.ftl")),
    (Lang::En, "locales/en/verify.ftl", include_str!("../locales/en/verify.ftl")),
    (Lang::En, "locales/en/notify.ftl", include_str!("../locales/en/notify.ftl")),
    (Lang::En, "locales/en/meetings.ftl", include_str!("../locales/en/meetings.ftl")),
    (Lang::En, "locales/en/vote.ftl", include_str!("../locales/en/vote.ftl")),
    (Lang::En, "locales/en/results.ftl", include_str!("../locales/en/results.ftl")),
    (Lang::En, "locales/en/execution.ftl", include_str!("../locales/en/execution.ftl")),
];

/// The Fluent bundles of every language, shared by all handlers.
pub struct Locales {
    ko: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

/// Arguments for one message: `args![("count", 3), ("name", title)]`.
pub type Args<'a> = Vec<(&'a str, FluentValue<'a>)>;

#[macro_export]
macro_rules! args {
    ($(($key:expr, $value:expr)),* $(,)?) => {
        vec![$(($key, ::fluent_bundle::FluentValue::from($value))),*]
    };
}

#[derive(Debug, thiserror::Error)]
pub enum LocaleError {
    #[error("{file}: Fluent syntax errors: {errors}")]
    Syntax { file: String, errors: String },
    #[error("{file}: message ids defined twice: {ids}")]
    Duplicate { file: String, ids: String },
}

impl Locales {
    /// The bundles built from the compiled-in `.ftl` files.
    pub fn embedded() -> Result<Locales, LocaleError> {
        let mut ko = new_bundle(Lang::Ko);
        let mut en = new_bundle(Lang::En);
        for (lang, file, source) in SOURCES {
            let resource = FluentResource::try_new(source.to_owned())
                .map_err(|(_, errors)| LocaleError::Syntax { file: file.to_owned(), errors: format!("{errors:?}") })?;
            let bundle = match lang {
                Lang::Ko => &mut ko,
                Lang::En => &mut en,
            };
            bundle
                .add_resource(resource)
                .map_err(|errors| LocaleError::Duplicate { file: file.to_owned(), ids: format!("{errors:?}") })?;
        }
        Ok(Locales { ko, en })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Ko => &self.ko,
            Lang::En => &self.en,
        }
    }

    pub fn has(&self, lang: Lang, id: &str) -> bool {
        self.bundle(lang).has_message(id)
    }

    /// Renders message `id` in `lang`. A missing id or a formatting error is logged and the id
    /// itself is shown, so a resident never sees a crash (a test keeps this from happening).
    pub fn text(&self, lang: Lang, id: &str, args: Args<'_>) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::error!(id, lang = lang.code(), "missing Fluent message");
            return id.to_owned();
        };
        let mut fluent_args = FluentArgs::new();
        for (key, value) in args {
            fluent_args.set(key, value);
        }
        let mut errors = Vec::new();
        let text: Cow<'_, str> = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::error!(id, lang = lang.code(), ?errors, "Fluent formatting errors");
        }
        text.into_owned()
    }

    /// A message without arguments.
    pub fn plain(&self, lang: Lang, id: &str) -> String {
        self.text(lang, id, Vec::new())
    }
}

fn new_bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = lang.code().parse().expect("ko and en are valid language ids");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks around arguments show up as stray characters in Telegram.
    bundle.set_use_isolating(false);
    bundle
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn language_codes_map_to_languages() {
        assert_eq!(Lang::from_code("ko"), Some(Lang::Ko));
        assert_eq!(Lang::from_code("ko-KR"), Some(Lang::Ko));
        assert_eq!(Lang::from_code("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_code("de"), None);
        assert_eq!(Lang::from_code(""), None);
    }

    #[test]
    fn dates_are_shown_in_seoul_time() {
        // 10:00 UTC is 19:00 in Seoul (UTC+9, no daylight saving).
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap();
        assert_eq!(Lang::Ko.datetime(at), "2026년 12월 3일 (목) 19:00");
        assert_eq!(Lang::En.datetime(at), "Thu 3 Dec 2026, 19:00");
        // Late evening UTC is already the next day in Seoul.
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 16, 5, 0).unwrap();
        assert_eq!(Lang::Ko.datetime(at), "2027년 1월 1일 (금) 01:05");
    }

    #[test]
    fn money_follows_the_language() {
        let w = Won::from_i64(120_000_000).unwrap();
        assert_eq!(Lang::Ko.money(w), "1억 2,000만 원");
        assert_eq!(Lang::En.money(w), "₩120,000,000");
    }
}
