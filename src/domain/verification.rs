//! Verifying residents (DESIGN §4): Korean phone numbers normalised to E.164, one-time codes,
//! and the keyed hashes that are all the database ever holds of either.

use std::fmt;

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

/// The server secret keying every stored hash. Its `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Why a secret was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the server secret must be at least 32 characters")]
pub struct WeakSecret;

impl Secret {
    pub fn new(secret: &str) -> Result<Secret, WeakSecret> {
        let secret = secret.trim();
        if secret.len() < 32 {
            return Err(WeakSecret);
        }
        Ok(Secret(secret.as_bytes().to_vec()))
    }

    /// A fresh random secret (64 hex characters), for a first start without one.
    pub fn generate() -> String {
        let bytes: [u8; 32] = rand::rng().random();
        hex::encode(bytes)
    }

    /// HMAC-SHA256 of `value` in the domain `purpose` (so a phone and a code never collide), hex.
    fn hash(&self, purpose: &str, value: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn phone_hash(&self, phone: &Phone) -> String {
        self.hash("phone", &phone.0)
    }

    pub fn code_hash(&self, code: &Code) -> String {
        self.hash("code", &code.0)
    }

    /// The key a ballot is stored under: the same voter in the same round always gets the same
    /// key (so a new ballot replaces the last), yet without the secret no one can tell whose it
    /// is. `voter` names the person as the roll or the code binding does (`roll:12`, `code:40`).
    pub fn voter_key(&self, round: i64, voter: &str) -> String {
        self.hash("ballot", &format!("{round}\0{voter}"))
    }

    /// The key a resident's answers to an evaluation are stored under, as for ballots.
    pub fn evaluation_key(&self, evaluation: i64, resident: &str) -> String {
        self.hash("evaluation", &format!("{evaluation}\0{resident}"))
    }
}

/// A Korean mobile or landline number in E.164 form (`+821012345678`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("not a phone number")]
    NotANumber,
    #[error("not a Korean phone number")]
    NotKorean,
}

impl Phone {
    /// Reads `010-1234-5678`, `01012345678`, `+82 10 1234 5678`, `82-10-1234-5678` (as Telegram
    /// shares it) or `(02) 312-3456` as one E.164 number; numbers of other countries are refused.
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let trimmed = input.trim();
        let plus = trimmed.starts_with('+');
        let mut digits = String::new();
        for c in trimmed.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                // A plus only leads the number.
                '+' if digits.is_empty() => {}
                _ => return Err(PhoneError::NotANumber),
            }
        }
        let national = if let Some(rest) = digits.strip_prefix("82").filter(|_| plus || digits.len() >= 11) {
            // +82 10…, 82 10… and the sometimes-written +82 010…
            rest.strip_prefix('0').unwrap_or(rest).to_owned()
        } else if plus {
            return Err(PhoneError::NotKorean);
        } else if let Some(rest) = digits.strip_prefix('0') {
            rest.to_owned()
        } else {
            return Err(if digits.len() >= 10 { PhoneError::NotKorean } else { PhoneError::NotANumber });
        };
        // Korean numbers are 8 to 10 digits after the leading 0 (02-123-4567 … 010-1234-5678).
        if !(8..=10).contains(&national.len()) || national.starts_with('0') {
            return Err(PhoneError::NotANumber);
        }
        Ok(Phone(format!("+82{national}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The letters one-time codes are made of: no 0/O, 1/I/L, so they read back without doubt.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const CODE_LENGTH: usize = 8;

/// A one-time verification code as printed: eight characters of [`CODE_ALPHABET`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code(String);

impl Code {
    /// Reads a typed code: case, spaces and hyphens do not matter (`abcd-efgh` = `ABCDEFGH`).
    pub fn parse(input: &str) -> Option<Code> {
        let code: String =
            input.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
        (code.len() == CODE_LENGTH && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(Code(code))
    }

    pub fn generate() -> Code {
        let mut rng = rand::rng();
        Code((0..CODE_LENGTH).map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `ABCD-EFGH`, as printed for residents.
    pub fn printed(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }
}

/// `count` distinct fresh codes, keyed by their hash under `secret` (what the database keeps).
pub fn code_batch(secret: &Secret, count: usize) -> std::collections::BTreeMap<String, Code> {
    let mut codes = std::collections::BTreeMap::new();
    while codes.len() < count {
        let code = Code::generate();
        codes.insert(secret.code_hash(&code), code);
    }
    codes
}

/// The last second of `last_day` in Asia/Seoul: codes are valid through their whole last day.
pub fn valid_through(last_day: chrono::NaiveDate) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let end = last_day.and_hms_opt(23, 59, 59)?;
    chrono_tz::Asia::Seoul.from_local_datetime(&end).earliest().map(|t| t.to_utc())
}

/// Whether someone born in `birth_year` has reached `min_age` in `this_year`. Only the year is
/// on the roll, so the age counted is the one reached during this year (연 나이), the way
/// Korean election and youth rules count it.
pub fn old_enough(birth_year: Option<i32>, min_age: Option<u32>, this_year: i32) -> bool {
    match (birth_year, min_age) {
        (Some(born), Some(min)) => this_year - born >= min as i32,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voter_keys_are_stable_per_round_and_reveal_nothing() {
        let secret = Secret::new("a-secret-of-at-least-thirty-two-characters").unwrap();
        let key = secret.voter_key(4, "roll:12");
        assert_eq!(key, secret.voter_key(4, "roll:12"));
        assert_ne!(key, secret.voter_key(5, "roll:12"), "another round");
        assert_ne!(key, secret.voter_key(4, "roll:13"), "another voter");
        assert_ne!(key, secret.voter_key(41, "roll:2"), "no ambiguity in how round and voter join");
        let other = Secret::new("another-secret-of-at-least-thirty-two-chars").unwrap();
        assert_ne!(key, other.voter_key(4, "roll:12"));
        assert_eq!(key.len(), 64, "hex of HMAC-SHA256");
    }

    #[test]
    fn every_way_of_writing_a_korean_number_is_one_number() {
        for written in [
            "010-1234-5678",
            "01012345678",
            "+82 10 1234 5678",
            "+82-10-1234-5678",
            "821012345678",
            "+82 010 1234 5678",
            " 010.1234.5678 ",
        ] {
            assert_eq!(Phone::parse(written).unwrap().as_str(), "+821012345678", "{written}");
        }
        assert_eq!(Phone::parse("(02) 312-3456").unwrap().as_str(), "+8223123456");
    }

    #[test]
    fn foreign_and_malformed_numbers_are_refused() {
        assert_eq!(Phone::parse("+1 415 555 2671"), Err(PhoneError::NotKorean));
        assert_eq!(Phone::parse("+81 90 1234 5678"), Err(PhoneError::NotKorean));
        assert_eq!(Phone::parse("4155552671"), Err(PhoneError::NotKorean));
        assert_eq!(Phone::parse("010-1234"), Err(PhoneError::NotANumber));
        assert_eq!(Phone::parse("phone"), Err(PhoneError::NotANumber));
        assert_eq!(Phone::parse(""), Err(PhoneError::NotANumber));
        assert_eq!(Phone::parse("010-1234-5678+1"), Err(PhoneError::NotANumber));
    }

    #[test]
    fn hashes_are_keyed_separated_and_never_the_number() {
        let a = Secret::new(&"a".repeat(32)).unwrap();
        let b = Secret::new(&"b".repeat(32)).unwrap();
        let phone = Phone::parse("010-1234-5678").unwrap();
        let hash = a.phone_hash(&phone);
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains("12345678") && !hash.contains("+82"));
        assert_ne!(hash, b.phone_hash(&phone), "another secret, another hash");
        assert_eq!(hash, a.phone_hash(&Phone::parse("+82 10 1234 5678").unwrap()));
        let code = Code::parse("ABCDEFGH").unwrap();
        assert_ne!(a.code_hash(&code), a.hash("phone", "ABCDEFGH"));
        assert_eq!(format!("{a:?}"), "Secret(***)");
        assert!(matches!(Secret::new("short"), Err(WeakSecret)));
    }

    #[test]
    fn codes_read_back_whatever_the_case_spaces_and_hyphens() {
        assert_eq!(Code::parse(" abcd-efgh ").unwrap().as_str(), "ABCDEFGH");
        assert_eq!(Code::parse("AB CD EF GH").unwrap().printed(), "ABCD-EFGH");
        assert_eq!(Code::parse("ABCDEFG0"), None, "0 is not in the alphabet");
        assert_eq!(Code::parse("ABCDEFGI"), None);
        assert_eq!(Code::parse("ABCDEFG"), None);
        for _ in 0..200 {
            let code = Code::generate();
            assert_eq!(Code::parse(&code.printed()), Some(code));
        }
    }

    #[test]
    fn a_batch_holds_distinct_codes_under_their_hashes_valid_through_the_last_seoul_day() {
        let secret = Secret::new(&"s".repeat(32)).unwrap();
        let batch = code_batch(&secret, 300);
        assert_eq!(batch.len(), 300);
        assert!(batch.iter().all(|(hash, code)| *hash == secret.code_hash(code)));
        let day = chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        // 23:59:59 in Seoul is 14:59:59 UTC the same day.
        assert_eq!(valid_through(day).unwrap().to_rfc3339(), "2027-03-31T14:59:59+00:00");
    }

    #[test]
    fn age_counts_by_year_when_the_roll_has_one() {
        assert!(old_enough(Some(2013), Some(14), 2027));
        assert!(!old_enough(Some(2014), Some(14), 2027));
        assert!(old_enough(None, Some(14), 2027));
        assert!(old_enough(Some(2020), None, 2027));
    }
}
