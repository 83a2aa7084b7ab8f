//! The `/` filter: a substring by default (case-insensitive), `!` in front
//! inverts it, `-f ` in front makes it fuzzy (the letters in order, gaps
//! allowed), as in k9s.

/// A parsed filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// As typed, for the pane title.
    pub text: String,
    needle: String,
    invert: bool,
    fuzzy: bool,
}

impl Filter {
    /// Parse what was typed after `/`.
    pub fn parse(text: &str) -> Filter {
        let mut rest = text;
        let mut fuzzy = false;
        let mut invert = false;
        loop {
            if let Some(r) = rest.strip_prefix("-f ") {
                fuzzy = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix('!') {
                invert = true;
                rest = r;
            } else {
                break;
            }
        }
        Filter {
            text: text.to_string(),
            needle: rest.to_lowercase(),
            invert,
            fuzzy,
        }
    }

    /// Nothing to filter on.
    pub fn is_empty(&self) -> bool {
        self.needle.is_empty()
    }

    /// Whether a row whose searchable text is `haystack` stays.
    pub fn keeps(&self, haystack: &str) -> bool {
        if self.needle.is_empty() {
            return true;
        }
        let hay = haystack.to_lowercase();
        let hit = if self.fuzzy {
            let mut it = hay.chars();
            self.needle.chars().all(|n| it.any(|h| h == n))
        } else {
            hay.contains(&self.needle)
        };
        hit != self.invert
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_invert_and_fuzzy() {
        let f = Filter::parse("PUBLIC");
        assert!(f.keeps("vigil-lab-public-write"));
        assert!(!f.keeps("vigil-lab-sse-kms"));
        let f = Filter::parse("!public");
        assert!(!f.keeps("vigil-lab-public-write"));
        assert!(f.keeps("vigil-lab-sse-kms"));
        let f = Filter::parse("-f vlpw");
        assert!(f.keeps("vigil-lab-public-write"));
        assert!(!f.keeps("vigil-lab-sse-kms"));
        let f = Filter::parse("-f !vlpw");
        assert!(!f.keeps("vigil-lab-public-write"));
        assert!(Filter::parse("").keeps("anything"));
        assert!(Filter::parse("!").keeps("anything"));
    }
}
