//! IAM wildcard matching (`*` = any run of characters, `?` = exactly one).
//!
//! Why not a regex: a backtracking matcher is exponential on patterns such as
//! `*a*a*a*a*a*b` (Prowler replaced one that took 2.3 s on a 31-character
//! pattern). This is the greedy two-pointer algorithm: it remembers only the
//! last `*` seen, so the work is bounded by `pattern.len() * text.len()` and
//! there is no recursion.
//!
//! IAM semantics: "You can use wildcards (`*` and `?`) anywhere in the ARN
//! segment" and "action names are not case-sensitive" (IAM User Guide, "IAM JSON
//! policy elements: Action" and "Resource").

/// Stands for a literal `*` produced by the policy variable `${*}` or taken from
/// a substituted request value, so it no longer acts as a wildcard.
/// A Unicode private-use code point: AWS identifiers never contain it.
pub const LITERAL_STAR: char = '\u{E000}';
/// Stands for a literal `?` (policy variable `${?}`), see [`LITERAL_STAR`].
pub const LITERAL_QUESTION: char = '\u{E001}';

/// Case-sensitive wildcard match of `text` against `pattern`.
pub fn matches(pattern: &str, text: &str) -> bool {
    // Policies are almost always ASCII: match the bytes, allocating nothing
    // (an account analysis makes millions of these calls).
    if pattern.is_ascii() && text.is_ascii() {
        return match_bytes(pattern.as_bytes(), text.as_bytes(), false);
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    match_chars(&p, &t)
}

/// Case-insensitive wildcard match (actions, condition keys, `StringLike` never:
/// only where AWS documents case-insensitivity).
pub fn matches_ignore_case(pattern: &str, text: &str) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        return match_bytes(pattern.as_bytes(), text.as_bytes(), true);
    }
    matches(&pattern.to_lowercase(), &text.to_lowercase())
}

/// [`match_chars`] on ASCII bytes (one byte is one character), optionally
/// folding ASCII case. The literal markers are not ASCII, so never here.
fn match_bytes(pat: &[u8], text: &[u8], fold: bool) -> bool {
    let eq = |a: u8, b: u8| a == b || (fold && a.eq_ignore_ascii_case(&b));
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<usize> = None;
    let mut mark = 0usize;
    while t < text.len() {
        match pat.get(p) {
            Some(b'*') => {
                star = Some(p);
                mark = t;
                p += 1;
            }
            Some(&c) if c == b'?' || eq(c, text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some(s) => {
                    p = s + 1;
                    mark += 1;
                    t = mark;
                }
                None => return false,
            },
        }
    }
    while pat.get(p) == Some(&b'*') {
        p += 1;
    }
    p == pat.len()
}

/// Whether `s` contains a wildcard character that would match more than itself.
pub fn has_wildcard(s: &str) -> bool {
    s.contains('*') || s.contains('?')
}

/// Turns the literal markers back into the characters they stand for, for
/// operators that do not interpret wildcards (`StringEquals`, …).
pub fn unescape_literals(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            LITERAL_STAR => '*',
            LITERAL_QUESTION => '?',
            other => other,
        })
        .collect()
}

fn literal_eq(p: char, t: char) -> bool {
    p == t || (p == LITERAL_STAR && t == '*') || (p == LITERAL_QUESTION && t == '?')
}

/// Greedy matcher: on a mismatch after a `*`, retry with the `*` absorbing one
/// more character. Earlier stars never need revisiting because a later star can
/// absorb anything an earlier one could.
fn match_chars(pat: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<usize> = None;
    let mut mark = 0usize;
    while t < text.len() {
        match pat.get(p) {
            Some('*') => {
                star = Some(p);
                mark = t;
                p += 1;
            }
            Some(&c) if c == '?' || literal_eq(c, text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some(s) => {
                    p = s + 1;
                    mark += 1;
                    t = mark;
                }
                None => return false,
            },
        }
    }
    while pat.get(p) == Some(&'*') {
        p += 1;
    }
    p == pat.len()
}

/// Whether every string starting with `prefix` matches `pattern`. Used to ask
/// "does `s3:*` / `arn:aws:s3:::b/*` cover all of X" without enumerating X.
/// True iff the pattern ends in `*` and what precedes that final run of stars
/// matches some prefix of `prefix` (then the trailing `*` absorbs the rest).
pub fn covers_all_with_prefix(pattern: &str, prefix: &str, ignore_case: bool) -> bool {
    let (pattern, prefix) = if ignore_case {
        (pattern.to_lowercase(), prefix.to_lowercase())
    } else {
        (pattern.to_string(), prefix.to_string())
    };
    let head = pattern.trim_end_matches('*');
    if head.len() == pattern.len() {
        return false;
    }
    let chars: Vec<char> = prefix.chars().collect();
    let hp: Vec<char> = head.chars().collect();
    (0..=chars.len()).any(|k| match_chars(&hp, &chars[..k]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_action_wildcards_star_and_question() {
        assert!(matches("s3:Get*", "s3:GetObject"));
        assert!(!matches("s3:Get*", "s3:PutObject"));
        assert!(matches("s3:?etObject", "s3:GetObject"));
        assert!(!matches("s3:?etObject", "s3:etObject"));
        assert!(matches("*", ""));
        assert!(matches("lambda:*Function*", "lambda:CreateFunction"));
        assert!(matches("lambda:*Function*", "lambda:UpdateFunctionCode"));
        assert!(!matches("lambda:*Function", "lambda:UpdateFunctionCode"));
    }

    #[test]
    fn iam_action_names_are_case_insensitive() {
        assert!(matches_ignore_case("S3:getobject", "s3:GetObject"));
        assert!(!matches("S3:getobject", "s3:GetObject"));
    }

    #[test]
    fn pathological_pattern_is_linear_enough() {
        let text = "a".repeat(200_000);
        let start = std::time::Instant::now();
        assert!(!matches("*a*a*a*a*a*a*a*a*a*a*b", &text));
        assert!(matches("*a*a*a*a*a*a*a*a*a*a*", &text));
        assert!(start.elapsed().as_secs() < 2);
    }

    #[test]
    fn policy_variable_literal_star_is_not_a_wildcard() {
        let pat = format!("a{LITERAL_STAR}b");
        assert!(matches(&pat, "a*b"));
        assert!(!matches(&pat, "axxb"));
    }

    #[test]
    fn ascii_fast_path_agrees_with_the_character_matcher() {
        let patterns = [
            "*",
            "?",
            "",
            "a*",
            "*a",
            "a?c",
            "s3:Get*",
            "S3:get*",
            "*a*a*b",
            "ab*cd*",
            "lambda:*Function*",
            "arn:aws:s3:::b/*",
            "x?*?y",
        ];
        let texts = [
            "",
            "a",
            "abc",
            "aXc",
            "s3:GetObject",
            "S3:GETOBJECT",
            "aaab",
            "abxxcdyy",
            "lambda:UpdateFunctionCode",
            "arn:aws:s3:::b/k",
            "xaby",
            "xy",
        ];
        for p in patterns {
            for t in texts {
                let pc: Vec<char> = p.chars().collect();
                let tc: Vec<char> = t.chars().collect();
                assert_eq!(matches(p, t), match_chars(&pc, &tc), "{p:?} {t:?}");
                let (pl, tl) = (p.to_lowercase(), t.to_lowercase());
                let (pl, tl): (Vec<char>, Vec<char>) = (pl.chars().collect(), tl.chars().collect());
                assert_eq!(
                    matches_ignore_case(p, t),
                    match_chars(&pl, &tl),
                    "{p:?} {t:?}"
                );
            }
        }
        // Non-ASCII text still takes the character path.
        assert!(matches("caf?", "café"));
        assert!(matches_ignore_case("CAFÉ*", "café au lait"));
    }

    #[test]
    fn covers_prefix() {
        assert!(covers_all_with_prefix("s3:*", "s3:", true));
        assert!(covers_all_with_prefix("*", "s3:", true));
        assert!(covers_all_with_prefix("S*", "s3:", true));
        assert!(!covers_all_with_prefix("s3:Get*", "s3:", true));
        assert!(!covers_all_with_prefix("s3:?*", "s3:", true));
        assert!(!covers_all_with_prefix("s3:GetObject", "s3:", true));
        assert!(covers_all_with_prefix(
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b/",
            false
        ));
        assert!(!covers_all_with_prefix(
            "arn:aws:s3:::b/logs/*",
            "arn:aws:s3:::b/",
            false
        ));
    }
}
