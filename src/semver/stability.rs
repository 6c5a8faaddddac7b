//! Stabilities: `VersionParser::parseStability`, `BasePackage::$stabilities` and the root
//! stability flags of `RootPackageLoader::extractStabilityFlags`.

use std::fmt;
use std::str::FromStr;

use super::constraint::{split_and, split_or};
use super::scan::{at_end, flag_word_at, is_space, match_modifier, php_trim, sub};

/// A package stability, from most to least stable. The derived order follows [`Stability::rank`].
#[allow(clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Stability {
    #[default]
    Stable,
    RC,
    Beta,
    Alpha,
    Dev,
}

impl Stability {
    /// All stabilities, most stable first.
    pub const ALL: [Stability; 5] = [
        Stability::Stable,
        Stability::RC,
        Stability::Beta,
        Stability::Alpha,
        Stability::Dev,
    ];

    /// Composer's numeric value (`BasePackage::$stabilities`): stable 0, RC 5, beta 10,
    /// alpha 15, dev 20. This is what `composer.lock` stores in `stability-flags`.
    pub fn rank(self) -> u8 {
        match self {
            Stability::Stable => 0,
            Stability::RC => 5,
            Stability::Beta => 10,
            Stability::Alpha => 15,
            Stability::Dev => 20,
        }
    }

    /// The stability with the given [`rank`](Stability::rank).
    pub fn from_rank(rank: u8) -> Option<Stability> {
        Stability::ALL.into_iter().find(|s| s.rank() == rank)
    }

    /// Composer's spelling: `stable`, `RC`, `beta`, `alpha`, `dev`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stability::Stable => "stable",
            Stability::RC => "RC",
            Stability::Beta => "beta",
            Stability::Alpha => "alpha",
            Stability::Dev => "dev",
        }
    }

    /// Is a version of stability `self` acceptable when `minimum` is the least stable allowed?
    pub fn is_at_least(self, minimum: Stability) -> bool {
        self.rank() <= minimum.rank()
    }
}

impl fmt::Display for Stability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stability name that is not one of `stable`, `RC`, `beta`, `alpha`, `dev`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown stability \"{0}\": expected one of stable, RC, beta, alpha, dev")]
pub struct StabilityParseError(pub String);

impl FromStr for Stability {
    type Err = StabilityParseError;

    /// Case-insensitive, like Composer's `VersionParser::normalizeStability`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stability::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| StabilityParseError(s.to_string()))
    }
}

/// Composer's `VersionParser::parseStability`, for normalized or pretty versions:
/// `dev-*` and `*-dev` are dev, `-beta`/`-b` beta, `-alpha`/`-a` alpha, `-RC` RC, anything
/// else (including `-patch`, `-p`, `-pl`) stable.
pub fn parse_stability(version: &str) -> Stability {
    let stripped = strip_vcs_reference(version);
    let v = stripped.as_str();
    if v.starts_with("dev-") || v.ends_with("-dev") {
        return Stability::Dev;
    }
    let lower = v.to_ascii_lowercase();
    let b = lower.as_bytes();
    let no_newline_from = last_inner_newline(b).map_or(0, |i| i + 1);
    // `MOD(?:\+.*)?$`, unanchored: the first start position where it matches decides.
    let mut tail = |q: usize| (b.get(q) == Some(&b'+') && q + 1 >= no_newline_from) || at_end(b, q);
    for start in 0..=b.len() {
        // A match can never start on a digit (it needs a separator, a letter or the end).
        if b.get(start).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        if let Some(caps) = match_modifier(b, start, true, &mut tail) {
            if caps.dev.is_some() {
                return Stability::Dev;
            }
            return match caps.word.map(|(s, e)| &b[s..e]) {
                Some(b"beta" | b"b") => Stability::Beta,
                Some(b"alpha" | b"a") => Stability::Alpha,
                Some(b"rc") => Stability::RC,
                _ => Stability::Stable,
            };
        }
    }
    Stability::Stable
}

/// Position of the last `\n` that is not the final byte.
fn last_inner_newline(b: &[u8]) -> Option<usize> {
    let body = match b.last() {
        Some(b'\n') => &b[..b.len() - 1],
        _ => b,
    };
    body.iter().rposition(|c| *c == b'\n')
}

/// `preg_replace('{#.+$}', '', $version)`.
fn strip_vcs_reference(version: &str) -> String {
    let b = version.as_bytes();
    let no_newline_from = last_inner_newline(b).map_or(0, |i| i + 1);
    for (p, _) in b.iter().enumerate().filter(|(_, c)| **c == b'#') {
        // `.+` needs one non-newline byte, and no newline may follow except a final one.
        let has_char = b.get(p + 1).is_some_and(|c| *c != b'\n');
        if has_char && p + 1 >= no_newline_from {
            let keep_newline = b.last() == Some(&b'\n') && b.len() >= p + 2;
            let mut out = sub(version, 0, p).to_string();
            if keep_newline {
                out.push('\n');
            }
            return out;
        }
    }
    version.to_string()
}

/// The stability flag Composer's root package loader derives for one root requirement
/// (`RootPackageLoader::extractStabilityFlags`, one `require`/`require-dev` entry).
///
/// * An explicit `@stability` on any AND/OR term wins (the least stable of them), even when
///   it is stricter than `minimum_stability` (`"@stable"` is recorded as stable).
/// * Otherwise a term that is a bare non-stable version (`1.0.0-beta2`, `dev-main`,
///   `2.4.x-dev`, `>=2.0-beta` without a space) sets that stability, but only if it is less
///   stable than `minimum_stability` and than `existing`.
///
/// `existing` is the flag already recorded for the same package name (Composer processes
/// `require` and `require-dev` into one map). Returns the new flag, or `existing` unchanged.
pub fn root_stability_flag(
    constraint: &str,
    minimum_stability: Stability,
    existing: Option<Stability>,
) -> Option<Stability> {
    let trimmed = php_trim(constraint);
    let terms: Vec<&str> = split_or(trimmed).into_iter().flat_map(split_and).collect();
    let mut flag = existing;
    // Composer's `$matched`: set only when an explicit flag was actually recorded (not when it
    // was skipped because an existing flag is already less stable).
    let mut matched = false;
    for term in &terms {
        let b = term.as_bytes();
        // `^[^@]*?@(stable|RC|beta|alpha|dev)$`i: only the first `@` can start the flag.
        let found = b
            .iter()
            .position(|c| *c == b'@')
            .and_then(|at| flag_word_at(b, at + 1));
        if let Some((s, e)) = found {
            let Ok(stability) = sub(term, s, e).parse::<Stability>() else {
                continue;
            };
            if flag.is_some_and(|f| f.rank() > stability.rank()) {
                continue;
            }
            flag = Some(stability);
            matched = true;
        }
    }
    if matched {
        return flag;
    }
    for term in &terms {
        let req = strip_inline_alias(term);
        if !is_bare_version(&req) {
            continue;
        }
        let stability = parse_stability(&req);
        if stability == Stability::Stable {
            continue;
        }
        if flag.is_some_and(|f| f.rank() > stability.rank())
            || minimum_stability.rank() > stability.rank()
        {
            continue;
        }
        flag = Some(stability);
    }
    flag
}

/// `preg_replace('{^([^,\s@]+) as .+$}', '$1', $term)`.
fn strip_inline_alias(term: &str) -> String {
    let b = term.as_bytes();
    let mut p = 0;
    while b
        .get(p)
        .is_some_and(|c| *c != b',' && *c != b'@' && !is_space(*c))
    {
        p += 1;
    }
    if p > 0 && b.get(p..p + 4) == Some(b" as ") {
        let rest_start = p + 4;
        let line_stop = b[rest_start..]
            .iter()
            .position(|c| *c == b'\n')
            .map_or(b.len(), |i| rest_start + i);
        if line_stop > rest_start && at_end(b, line_stop) {
            let mut out = sub(term, 0, p).to_string();
            out.push_str(sub(term, line_stop, term.len()));
            return out;
        }
    }
    term.to_string()
}

/// `^[^,\s@]+$`.
fn is_bare_version(s: &str) -> bool {
    let b = s.as_bytes();
    let end = b
        .iter()
        .position(|c| *c == b',' || *c == b'@' || is_space(*c))
        .unwrap_or(b.len());
    end > 0 && at_end(b, end)
}
