//! Parsing of the typed values condition operators compare: numbers, dates,
//! IP addresses and CIDR blocks. No dependencies beyond std, no panics.
//!
//! IAM User Guide, "IAM JSON policy elements: Condition operators": date values
//! are "W3C implementations of the ISO 8601 date formats" or epoch (UNIX) time;
//! IP values use "the standard CIDR format" for IPv4 and IPv6.

use std::net::IpAddr;

/// A number as the Numeric operators read it.
pub fn parse_number(s: &str) -> Option<f64> {
    let v: f64 = s.trim().parse().ok()?;
    if v.is_finite() { Some(v) } else { None }
}

/// A date as seconds since the UNIX epoch. Accepts epoch seconds, `YYYY-MM-DD`,
/// and `YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm|±hhmm]` (no zone = UTC).
pub fn parse_date(s: &str) -> Option<f64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return parse_number(s);
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (y, m, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) as f64 * 86_400.0;
    let mut i = 10;
    if matches!(b.get(i), Some(b'T') | Some(b't') | Some(b' ')) {
        let hh = num(i + 1, 2)?;
        if b.get(i + 3) != Some(&b':') {
            return None;
        }
        let mm = num(i + 4, 2)?;
        i += 6;
        let mut ss = 0.0;
        if b.get(i) == Some(&b':') {
            ss = num(i + 1, 2)? as f64;
            i += 3;
            if b.get(i) == Some(&b'.') {
                let start = i;
                i += 1;
                while b.get(i).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                }
                ss += s.get(start..i)?.parse::<f64>().unwrap_or(0.0);
            }
        }
        if hh > 24 || mm > 59 || ss >= 61.0 {
            return None;
        }
        secs += (hh * 3600 + mm * 60) as f64 + ss;
    }
    match b.get(i) {
        None => {}
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => {}
        Some(&sign) if sign == b'+' || sign == b'-' => {
            let oh = num(i + 1, 2)?;
            let om = match b.get(i + 3) {
                Some(b':') => num(i + 4, 2)?,
                _ => num(i + 3, 2)?,
            };
            let off = (oh * 3600 + om * 60) as f64;
            secs += if sign == b'+' { -off } else { off };
        }
        _ => return None,
    }
    Some(secs)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A CIDR block: address and prefix length. A bare address is a /32 or /128.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// The network address as written.
    pub addr: IpAddr,
    /// Prefix length in bits.
    pub prefix: u8,
}

/// Parses `a.b.c.d/n`, `a.b.c.d`, `v6::/n` or a bare IPv6 address.
pub fn parse_cidr(s: &str) -> Option<Cidr> {
    let s = s.trim();
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr: IpAddr = addr.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(p) => {
            let v: u8 = p.parse().ok()?;
            if v > max {
                return None;
            }
            v
        }
        None => max,
    };
    Some(Cidr { addr, prefix })
}

/// Whether address `ip` (request value, may itself carry `/n`, ignored) lies in
/// `cidr`. IPv4 and IPv6 never match each other.
pub fn cidr_contains(cidr: &Cidr, ip: &str) -> bool {
    let ip = ip.trim();
    let ip = ip.split_once('/').map_or(ip, |(a, _)| a);
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return false;
    };
    match (cidr.addr, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = if cidr.prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(cidr.prefix))
            };
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let mask = if cidr.prefix == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(cidr.prefix))
            };
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_condition_operators_accept_iso8601_and_epoch() {
        assert_eq!(parse_date("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_date("2020-01-01"), Some(1_577_836_800.0));
        assert_eq!(parse_date("1577836800"), Some(1_577_836_800.0));
        assert_eq!(
            parse_date("2020-01-01T01:00:00+01:00"),
            Some(1_577_836_800.0)
        );
        assert_eq!(
            parse_date("2020-01-01T00:00:00.500Z"),
            Some(1_577_836_800.5)
        );
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("2020-13-01"), None);
    }

    #[test]
    fn ip_address_condition_operator_ipv4_and_ipv6() {
        let c = parse_cidr("203.0.113.0/24").unwrap();
        assert!(cidr_contains(&c, "203.0.113.7"));
        assert!(!cidr_contains(&c, "203.0.114.7"));
        let c6 = parse_cidr("2001:db8::/32").unwrap();
        assert!(cidr_contains(&c6, "2001:db8:1::5"));
        assert!(!cidr_contains(&c6, "2001:db9::5"));
        assert!(!cidr_contains(&c6, "203.0.113.7"));
        let all = parse_cidr("0.0.0.0/0").unwrap();
        assert!(cidr_contains(&all, "8.8.8.8"));
        assert_eq!(parse_cidr("10.0.0.1").map(|c| c.prefix), Some(32));
        assert_eq!(parse_cidr("10.0.0.0/33"), None);
        assert_eq!(parse_cidr("not-an-ip"), None);
    }
}
