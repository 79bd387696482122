//! Won amounts: parsing what residents type and showing sums the way Koreans read them.
//!
//! Amounts are whole won. Residents write costs in many ways (`3000000`, `3,000,000`, `300만`,
//! `300만원`, `3백만 원`, `1.5억`, `1억 2,000만`); [`Won::parse`] accepts all of them and refuses
//! anything that is not a positive whole number of won.

use std::fmt;

use rust_decimal::{Decimal, prelude::ToPrimitive};

/// A whole, non-negative amount of Korean won.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Won(Decimal);

/// Why a typed amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("empty amount")]
    Empty,
    #[error("not a number")]
    NotANumber,
    #[error("negative amount")]
    Negative,
    #[error("zero amount")]
    Zero,
    #[error("not a whole number of won")]
    NotWhole,
    #[error("amount too large")]
    TooLarge,
}

/// The largest amount the bot accepts anywhere: 1,000조 won, far above any district budget,
/// and well inside `i64` so it always fits the database column.
const MAX_WON: i64 = 1_000_000_000_000_000;

impl Won {
    pub const ZERO: Won = Won(Decimal::ZERO);

    /// A whole, non-negative amount; `None` for fractions, negatives or absurd sizes.
    pub fn new(amount: Decimal) -> Option<Won> {
        let amount = amount.normalize();
        (amount.is_sign_positive() || amount.is_zero())
            .then_some(())
            .filter(|_| amount.fract().is_zero() && amount <= Decimal::from(MAX_WON))
            .map(|_| Won(amount.trunc()))
    }

    pub fn from_i64(won: i64) -> Option<Won> {
        (0..=MAX_WON).contains(&won).then(|| Won(Decimal::from(won)))
    }

    /// The amount as integer won, as stored in the database.
    pub fn to_i64(self) -> i64 {
        // Construction keeps the value whole and within MAX_WON, so this always fits.
        self.0.to_i64().unwrap_or(MAX_WON)
    }

    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn checked_add(self, other: Won) -> Option<Won> {
        self.0.checked_add(other.0).and_then(Won::new)
    }

    /// `percent`% of this amount, rounded down to whole won.
    pub fn percent(self, percent: Decimal) -> Option<Won> {
        let share = self.0.checked_mul(percent)? / Decimal::from(100);
        Won::new(share.floor())
    }

    /// Parses an amount as a resident types it, in digits with optional Korean units.
    ///
    /// Commas, spaces, a leading `₩` and a trailing `원` are ignored. Units `십 백 천` multiply the
    /// number before them within a group; `만 억 조` close a group (in descending order), so
    /// `2천5백만` is 25,000,000 and `1억 2,000만` is 120,000,000. Decimals are allowed before a
    /// unit (`1.5억`) as long as the result is whole won.
    pub fn parse(input: &str) -> Result<Won, AmountError> {
        let text: String = input
            .trim()
            .trim_start_matches(['₩', '\\'])
            .trim_end_matches('.')
            .trim_end()
            .trim_end_matches("원")
            .chars()
            .filter(|c| !c.is_whitespace() && *c != ',')
            .collect();
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        if text.starts_with('-') || text.starts_with('−') {
            return Err(AmountError::Negative);
        }

        let mut total = Decimal::ZERO;
        let mut group = Decimal::ZERO;
        let mut number: Option<Decimal> = None;
        let mut last_big: Option<Decimal> = None;
        let mut digits = String::new();
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_ascii_digit() || c == '.' {
                if number.is_some() {
                    return Err(AmountError::NotANumber);
                }
                digits.clear();
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    digits.push(chars[i]);
                    i += 1;
                }
                let value: Decimal = digits.parse().map_err(|_| AmountError::NotANumber)?;
                number = Some(value);
                continue;
            }
            if let Some(unit) = small_unit(c) {
                let n = number.take().unwrap_or(Decimal::ONE);
                group = n.checked_mul(unit).and_then(|v| group.checked_add(v)).ok_or(AmountError::TooLarge)?;
            } else if let Some(unit) = big_unit(c) {
                if last_big.is_some_and(|previous| unit >= previous) {
                    return Err(AmountError::NotANumber);
                }
                last_big = Some(unit);
                // A bare unit (`만`) means one of it; an explicit zero (`0만`) stays zero.
                let bare = number.is_none() && group.is_zero();
                let value = if bare { Decimal::ONE } else { group + number.take().unwrap_or(Decimal::ZERO) };
                total = value.checked_mul(unit).and_then(|v| total.checked_add(v)).ok_or(AmountError::TooLarge)?;
                group = Decimal::ZERO;
            } else {
                return Err(AmountError::NotANumber);
            }
            i += 1;
        }
        total = total.checked_add(group + number.unwrap_or(Decimal::ZERO)).ok_or(AmountError::TooLarge)?;

        if total.is_zero() {
            return Err(AmountError::Zero);
        }
        if !total.fract().is_zero() {
            return Err(AmountError::NotWhole);
        }
        Won::new(total).ok_or(AmountError::TooLarge)
    }

    /// Korean reading: `1,250,000원` below 1억, `1억 2,000만 원` from 1억 up.
    pub fn format_ko(self) -> String {
        let n = self.to_i64();
        if n < 100_000_000 {
            return format!("{}원", group_thousands(n));
        }
        let mut parts = Vec::new();
        let mut rest = n;
        for (unit, name) in [(1_000_000_000_000i64, "조"), (100_000_000, "억"), (10_000, "만")] {
            let count = rest / unit;
            rest %= unit;
            if count > 0 {
                parts.push(format!("{}{name}", group_thousands(count)));
            }
        }
        if rest > 0 {
            parts.push(format!("{}원", group_thousands(rest)));
            parts.join(" ")
        } else {
            format!("{} 원", parts.join(" "))
        }
    }

    /// English reading: `₩1,250,000`.
    pub fn format_en(self) -> String {
        format!("₩{}", group_thousands(self.to_i64()))
    }
}

impl fmt::Display for Won {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

fn small_unit(c: char) -> Option<Decimal> {
    match c {
        '십' => Some(Decimal::from(10)),
        '백' => Some(Decimal::from(100)),
        '천' => Some(Decimal::from(1_000)),
        _ => None,
    }
}

fn big_unit(c: char) -> Option<Decimal> {
    match c {
        '만' => Some(Decimal::from(10_000)),
        '억' => Some(Decimal::from(100_000_000)),
        '조' => Some(Decimal::from(1_000_000_000_000i64)),
        _ => None,
    }
}

/// `1234567` → `1,234,567`.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn won(n: i64) -> Won {
        Won::from_i64(n).unwrap()
    }

    #[test]
    fn parses_every_form_residents_type() {
        let cases = [
            ("3000000", 3_000_000),
            ("3,000,000", 3_000_000),
            ("3,000,000원", 3_000_000),
            ("300만", 3_000_000),
            ("300만원", 3_000_000),
            ("300만 원", 3_000_000),
            ("3백만 원", 3_000_000),
            ("1.5억", 150_000_000),
            ("1억 2,000만", 120_000_000),
            ("1억2천만원", 120_000_000),
            ("2천5백만", 25_000_000),
            ("만", 10_000),
            ("₩1,250,000", 1_250_000),
            ("  450000  ", 450_000),
            ("1억 5000", 100_005_000),
            ("3천", 3_000),
        ];
        for (input, expected) in cases {
            assert_eq!(Won::parse(input), Ok(won(expected)), "{input}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_whole_positive_amount() {
        assert_eq!(Won::parse(""), Err(AmountError::Empty));
        assert_eq!(Won::parse("   원"), Err(AmountError::Empty));
        assert_eq!(Won::parse("0"), Err(AmountError::Zero));
        assert_eq!(Won::parse("0만"), Err(AmountError::Zero));
        assert_eq!(Won::parse("-5000"), Err(AmountError::Negative));
        assert_eq!(Won::parse("abc"), Err(AmountError::NotANumber));
        assert_eq!(Won::parse("삼백만"), Err(AmountError::NotANumber));
        assert_eq!(Won::parse("12.5"), Err(AmountError::NotWhole));
        assert_eq!(Won::parse("1.2.3"), Err(AmountError::NotANumber));
        assert_eq!(Won::parse("5만3억"), Err(AmountError::NotANumber));
        assert_eq!(Won::parse("99999조"), Err(AmountError::TooLarge));
        assert_eq!(Won::parse("3 000 000 USD"), Err(AmountError::NotANumber));
    }

    #[test]
    fn formats_korean_and_english() {
        assert_eq!(won(1_250_000).format_ko(), "1,250,000원");
        assert_eq!(won(0).format_ko(), "0원");
        assert_eq!(won(99_999_999).format_ko(), "99,999,999원");
        assert_eq!(won(100_000_000).format_ko(), "1억 원");
        assert_eq!(won(120_000_000).format_ko(), "1억 2,000만 원");
        assert_eq!(won(123_456_789).format_ko(), "1억 2,345만 6,789원");
        assert_eq!(won(7_800_000_000).format_ko(), "78억 원");
        assert_eq!(won(1_250_000).format_en(), "₩1,250,000");
        assert_eq!(won(7_800_000_000).format_en(), "₩7,800,000,000");
    }

    #[test]
    fn percent_rounds_down_to_whole_won() {
        assert_eq!(won(780_000_000_000).percent(Decimal::ONE), Some(won(7_800_000_000)));
        assert_eq!(won(999).percent(Decimal::ONE), Some(won(9)));
    }

    #[test]
    fn stays_whole_and_round_trips_through_i64() {
        assert_eq!(Won::new(Decimal::new(15, 1)), None);
        assert_eq!(Won::new(Decimal::new(-1, 0)), None);
        let parsed = Won::parse("1.5억").unwrap();
        assert_eq!(parsed.to_i64(), 150_000_000);
        assert_eq!(Won::from_i64(parsed.to_i64()), Some(parsed));
    }
}
