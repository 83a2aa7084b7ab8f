//! Start windows such as `15m`: how far back the tail begins.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How far back a tail starts: a number and a unit, `s`, `m`, `h` or `d`
/// (`90s`, `15m`, `2h`, `7d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Since(pub Duration);

/// The window when none is given: an hour, enough to see the lab's events
/// and what happened just before the operator logged in.
pub const DEFAULT_SINCE: Since = Since(Duration::from_secs(3600));

/// CloudWatch Logs keeps at most ten years; anything longer is a typo.
const LONGEST: Duration = Duration::from_secs(10 * 366 * 86_400);

impl FromStr for Since {
    type Err = String;

    fn from_str(text: &str) -> Result<Since, String> {
        let t = text.trim();
        let bad = || format!("'{text}' is not a window: use a number and s, m, h or d, e.g. 15m");
        let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (number, unit) = t.split_at(split);
        let n: u64 = number.parse().map_err(|_| bad())?;
        let seconds = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(bad()),
        };
        let d = Duration::from_secs(n.saturating_mul(seconds));
        if d.is_zero() {
            return Err(format!("'{text}': the window must be longer than nothing"));
        }
        if d > LONGEST {
            return Err(format!("'{text}': CloudWatch Logs keeps at most ten years"));
        }
        Ok(Since(d))
    }
}

impl fmt::Display for Since {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.as_secs();
        match s {
            _ if s.is_multiple_of(86_400) => write!(f, "{}d", s / 86_400),
            _ if s.is_multiple_of(3600) => write!(f, "{}h", s / 3600),
            _ if s.is_multiple_of(60) => write!(f, "{}m", s / 60),
            _ => write!(f, "{s}s"),
        }
    }
}

impl Since {
    /// The first millisecond of the window, counted back from `now_ms`.
    pub fn start_ms(&self, now_ms: i64) -> i64 {
        now_ms.saturating_sub(i64::try_from(self.0.as_millis()).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_parses() {
        assert_eq!("90s".parse(), Ok(Since(Duration::from_secs(90))));
        assert_eq!("15m".parse(), Ok(Since(Duration::from_secs(900))));
        assert_eq!(" 2h ".parse(), Ok(Since(Duration::from_secs(7200))));
        assert_eq!("7d".parse(), Ok(Since(Duration::from_secs(604_800))));
    }

    #[test]
    fn mistakes_say_what_a_window_looks_like() {
        for bad in ["15", "m", "15x", "1.5h", "-5m", "15 m", "", "15mm"] {
            let e = bad.parse::<Since>().unwrap_err();
            assert!(e.contains("e.g. 15m"), "{bad}: {e}");
        }
        assert!(
            "0m".parse::<Since>()
                .unwrap_err()
                .contains("longer than nothing")
        );
        assert!(
            "99999999d"
                .parse::<Since>()
                .unwrap_err()
                .contains("ten years")
        );
    }

    #[test]
    fn display_is_the_shortest_unit_that_fits_and_start_counts_back() {
        assert_eq!(Since(Duration::from_secs(7200)).to_string(), "2h");
        assert_eq!(Since(Duration::from_secs(90)).to_string(), "90s");
        assert_eq!("15m".parse::<Since>().unwrap().start_ms(1_000_000), 100_000);
    }
}
