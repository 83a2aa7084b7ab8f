//! The raw record: secrets masked, then every string sanitised, before it
//! is kept for the detail view.
//!
//! CloudTrail logs the temporary credentials STS hands out: the
//! `responseElements.credentials` of `AssumeRole`, `AssumeRoleWithSAML`,
//! `AssumeRoleWithWebIdentity`, `GetSessionToken` and `GetFederationToken`
//! carry a `sessionToken` (and, for some callers, a `secretAccessKey`).
//! Anyone who reads the tail must not be able to copy a working session
//! from it, so those values are replaced wherever they appear, in any event.

use serde_json::Value;

use crate::model::text::sanitize;

/// What a masked value becomes.
pub const MASKED: &str = "[masked by vigil]";

/// Keys whose values are secrets (compared case-insensitively). The
/// access key *id* is an identifier, not a secret, and is kept: incident
/// responders follow it to the session's later calls.
const SECRET_KEYS: &[&str] = &[
    "sessiontoken",
    "secretaccesskey",
    "password",
    "newpassword",
    "oldpassword",
    "webidentitytoken",
    "samlassertion",
    "clientsecret",
    "privatekey",
];

fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k))
}

/// Replace the value of every secret key, at any depth. Returns how many
/// values were masked.
pub fn mask_secrets(v: &mut Value) -> usize {
    match v {
        Value::Object(map) => {
            let mut n = 0;
            for (k, item) in map.iter_mut() {
                if is_secret_key(k) {
                    if !item.is_null() {
                        *item = Value::String(MASKED.into());
                        n += 1;
                    }
                } else {
                    n += mask_secrets(item);
                }
            }
            n
        }
        Value::Array(items) => items.iter_mut().map(mask_secrets).sum(),
        _ => 0,
    }
}

/// The same secrets masked in text that may not be JSON at all (a record
/// cut short, a line of junk): after each `"key"` named in [`SECRET_KEYS`]
/// (any case) and a colon, a quoted value is replaced by [`MASKED`].
pub fn mask_secrets_in_text(text: &str) -> std::borrow::Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for key in SECRET_KEYS {
        let quoted = format!("\"{key}\"");
        let mut from = 0;
        while let Some(found) = lower[from..].find(&quoted) {
            let after_key = from + found + quoted.len();
            from = after_key;
            let bytes = text.as_bytes();
            let mut i = after_key;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if bytes.get(i) != Some(&b':') {
                continue;
            }
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if bytes.get(i) != Some(&b'"') {
                continue;
            }
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            spans.push((start, end.min(bytes.len())));
            from = end.min(bytes.len());
        }
    }
    if spans.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end) in spans {
        if start < last {
            continue;
        }
        out.push_str(&text[last..start]);
        out.push_str(MASKED);
        last = end;
    }
    out.push_str(&text[last..]);
    std::borrow::Cow::Owned(out)
}

/// Every key and string value made safe for a terminal.
pub fn sanitise_value(v: &mut Value) {
    match v {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(safe) = sanitize(s) {
                *s = safe;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(sanitise_value),
        Value::Object(map) => {
            let unsafe_keys = map
                .keys()
                .any(|k| matches!(sanitize(k), std::borrow::Cow::Owned(_)));
            if unsafe_keys {
                let old = std::mem::take(map);
                for (k, mut item) in old {
                    sanitise_value(&mut item);
                    map.insert(sanitize(&k).into_owned(), item);
                }
            } else {
                map.values_mut().for_each(sanitise_value);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// `text` sanitised and cut to at most `keep` bytes (on a character
/// boundary), with a note of how much was cut.
pub fn sanitised_prefix(text: &str, keep: usize) -> String {
    if text.len() <= keep {
        return sanitize(text).into_owned();
    }
    let mut end = keep;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}… ({} more bytes)",
        sanitize(&text[..end]),
        text.len() - end
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn session_token_and_secret_are_masked_at_any_depth_and_key_id_is_kept() {
        let mut v = json!({
            "responseElements": {"credentials": {
                "accessKeyId": "ASIAEXAMPLE",
                "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE",
                "SecretAccessKey": "wJalrXUtnFEMI",
                "expiration": "Jan 1, 2030"
            }},
            "list": [{"password": "hunter2"}, {"password": null}]
        });
        assert_eq!(mask_secrets(&mut v), 3);
        let text = v.to_string();
        assert!(!text.contains("IQoJb3JpZ2lu"));
        assert!(!text.contains("wJalrXUtnFEMI"));
        assert!(!text.contains("hunter2"));
        assert!(text.contains("ASIAEXAMPLE"));
        assert_eq!(v["responseElements"]["credentials"]["sessionToken"], MASKED);
    }

    #[test]
    fn secrets_in_text_that_is_not_json_are_masked() {
        let cut = r#"{"responseElements":{"credentials":{"SessionToken" : "IQoJ\"b3J", "accessKeyId":"ASIA1"#;
        let out = mask_secrets_in_text(cut);
        assert!(!out.contains("IQoJ") && !out.contains("b3J"), "{out}");
        assert!(out.contains(MASKED) && out.contains("ASIA1"), "{out}");
        // a value running to the end of a cut message is masked too
        let open = r#"{"sessionToken":"IQoJb3JpZ2lu"#;
        assert_eq!(
            mask_secrets_in_text(open),
            format!(r#"{{"sessionToken":"{MASKED}"#)
        );
        assert!(matches!(
            mask_secrets_in_text("plain junk"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn nothing_secret_means_nothing_masked() {
        let mut v = json!({"requestParameters": {"bucketName": "b", "token": 1}});
        assert_eq!(mask_secrets(&mut v), 0);
    }

    #[test]
    fn sanitising_reaches_keys_and_nested_strings() {
        let mut v = json!({"ua": "a\u{1b}]52;c;x\u{7}", "k\u{202e}ey": ["x\u{200b}y", 1]});
        sanitise_value(&mut v);
        let text = v.to_string();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{200b}')
        );
        assert_eq!(v["ua"], "a\\x1b]52;c;x\\x07");
        assert_eq!(v["k\\u{202e}ey"][0], "x\\u{200b}y");
    }

    #[test]
    fn long_junk_is_cut_on_a_character_boundary() {
        let text = "é".repeat(100);
        let cut = sanitised_prefix(&text, 51);
        assert!(cut.starts_with(&"é".repeat(25)));
        assert!(cut.ends_with("(150 more bytes)"), "{cut}");
        assert_eq!(sanitised_prefix("short\n", 100), "short\\x0a");
    }
}
