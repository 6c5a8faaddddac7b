//! `VersionParser::normalize` and `VersionParser::normalizeBranch` (composer/semver 3.3.2).

use super::scan::{
    alias_source, at_end, digits_end, is_digit_at, is_space, lit_at, match_modifier, php_trim, sub,
    ModCaps, FLAG_WORDS,
};

/// A version string that Composer would reject ("Invalid version string").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid version string \"{input}\": {reason}")]
pub struct VersionError {
    /// The string that was given to [`normalize`], unchanged.
    pub input: String,
    /// What is wrong with it, in words.
    pub reason: String,
    composer_message: String,
}

impl VersionError {
    fn new(input: &str, trimmed: &str, extra: &str) -> Self {
        let reason = if extra.contains("alias source") {
            "the version before \"as\" must be an exact version (prefix a branch name with dev-)"
                .to_string()
        } else if extra.contains("alias must be") {
            "the alias after \"as\" must be an exact version".to_string()
        } else {
            diagnose(trimmed)
        };
        VersionError {
            input: input.to_string(),
            reason,
            composer_message: format!("Invalid version string \"{trimmed}\"{extra}"),
        }
    }

    /// The exception message Composer itself prints for this input, e.g.
    /// `Invalid version string "1.0.0-foo"`.
    pub fn composer_message(&self) -> &str {
        &self.composer_message
    }
}

/// Normalize a version string exactly like Composer's `VersionParser::normalize`.
///
/// `1.2` → `1.2.0.0`, `v2.4.7-p3` → `2.4.7.0-patch3`, `2.4.x-dev` → `2.4.9999999.9999999-dev`,
/// `master` → `dev-master`, `1.0.0 as 2.0.0` → `1.0.0.0`, `1.0@beta` → `1.0.0.0`.
pub fn normalize(version: &str) -> Result<String, VersionError> {
    let trimmed = php_trim(version);
    match normalize_trimmed(trimmed) {
        Some(v) => Ok(v),
        None => Err(VersionError::new(
            version,
            trimmed,
            &alias_hint(trimmed, &pre_modifier_form(trimmed)),
        )),
    }
}

/// The string as it stands when Composer gives up (after alias, flag and build stripping),
/// used for the alias hints of the error message.
fn pre_modifier_form(trimmed: &str) -> String {
    let mut v = alias_source(trimmed).unwrap_or(trimmed);
    if let Some(s) = strip_stability_flag(v) {
        v = s;
    }
    if let Some(s) = strip_build_metadata(v) {
        v = s;
    }
    v.to_string()
}

fn normalize_trimmed(full: &str) -> Option<String> {
    let mut v = full;
    if let Some(src) = alias_source(v) {
        v = src;
    }
    if let Some(s) = strip_stability_flag(v) {
        v = s;
    }
    if matches!(v, "master" | "trunk" | "default") {
        return Some(format!("dev-{v}"));
    }
    if v.len() >= 4 && v.as_bytes()[..4].eq_ignore_ascii_case(b"dev-") {
        return Some(format!("dev-{}", sub(v, 4, v.len())));
    }
    if let Some(s) = strip_build_metadata(v) {
        v = s;
    }
    if let Some(n) = classic(v) {
        return Some(n);
    }
    if let Some(n) = date_like(v) {
        return Some(n);
    }
    if let Some(name) = dev_suffix_prefix(v) {
        let n = normalize_branch(name);
        if !n.contains("dev-") {
            return Some(n);
        }
    }
    None
}

/// `@(?:stable|RC|beta|alpha|dev)$` (case-insensitive) removed from the end.
fn strip_stability_flag(v: &str) -> Option<&str> {
    let b = v.as_bytes();
    // `$` may match before a final newline; Composer then cuts strlen(match) bytes from the
    // very end, which this reproduces.
    let before_newline = (b.last() == Some(&b'\n')).then(|| b.len() - 1);
    for end in std::iter::once(b.len()).chain(before_newline) {
        for w in FLAG_WORDS {
            let len = w.len() + 1;
            if end >= len
                && b[end - len] == b'@'
                && b[end - w.len()..end].eq_ignore_ascii_case(w.as_bytes())
            {
                return Some(sub(v, 0, b.len() - len));
            }
        }
    }
    None
}

/// `^([^,\s+]++)\+[^\s]++$` → `$1`.
fn strip_build_metadata(v: &str) -> Option<&str> {
    let b = v.as_bytes();
    let mut p = 0;
    while b
        .get(p)
        .is_some_and(|c| *c != b',' && *c != b'+' && !is_space(*c))
    {
        p += 1;
    }
    if p == 0 || b.get(p) != Some(&b'+') {
        return None;
    }
    let mut q = p + 1;
    while b.get(q).is_some_and(|c| !is_space(*c)) {
        q += 1;
    }
    if q == p + 1 || !at_end(b, q) {
        return None;
    }
    Some(sub(v, 0, p))
}

/// `^v?(\d{1,5})(\.\d++)?(\.\d++)?(\.\d++)?MOD$` (case-insensitive).
fn classic(v: &str) -> Option<String> {
    let b = v.as_bytes();
    let start = usize::from(matches!(b.first(), Some(b'v' | b'V')));
    let major_end = digits_end(b, start);
    let major_len = major_end - start;
    if major_len == 0 || major_len > 5 {
        return None;
    }
    let mut parts: [Option<(usize, usize)>; 3] = [None; 3];
    let mut p = major_end;
    for part in parts.iter_mut() {
        if b.get(p) == Some(&b'.') && is_digit_at(b, p + 1) {
            let end = digits_end(b, p + 1);
            *part = Some((p, end));
            p = end;
        } else {
            break;
        }
    }
    let caps = match_modifier(b, p, true, &mut |q| at_end(b, q))?;
    let mut out = String::with_capacity(v.len() + 12);
    out.push_str(sub(v, start, major_end));
    for part in parts {
        match part {
            Some((s, e)) => out.push_str(sub(v, s, e)),
            None => out.push_str(".0"),
        }
    }
    Some(add_modifiers(out, b, &caps))
}

/// `^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?)MOD$` (case-insensitive).
fn date_like(v: &str) -> Option<String> {
    let b = v.as_bytes();
    let start = usize::from(matches!(b.first(), Some(b'v' | b'V')));
    // The date part can only end where the digit/separator run ends: the modifier can never
    // start with a digit or with a separator followed by a digit.
    let mut p = digits_end(b, start);
    while matches!(b.get(p), Some(b'.' | b':' | b'-')) && is_digit_at(b, p + 1) {
        p = digits_end(b, p + 1);
    }
    let date = b.get(start..p)?;
    if !date_shape(date) {
        return None;
    }
    let caps = match_modifier(b, p, true, &mut |q| at_end(b, q))?;
    let base: String = date
        .iter()
        .map(|c| if c.is_ascii_digit() { *c as char } else { '.' })
        .collect();
    Some(add_modifiers(base, b, &caps))
}

/// Is `d` (digits and single `.:-` separators) matched by
/// `\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?` as a whole?
fn date_shape(d: &[u8]) -> bool {
    fn rest(d: &[u8], pos: usize, groups: usize) -> bool {
        let sep_options = |at: usize| -> &'static [usize] {
            if matches!(d.get(at), Some(b'.' | b':' | b'-')) {
                &[1, 0]
            } else {
                &[0]
            }
        };
        if groups < 6 {
            for &sep in sep_options(pos) {
                let q = pos + sep;
                if is_digit_at(d, q) && is_digit_at(d, q + 1) && rest(d, q + 2, groups + 1) {
                    return true;
                }
            }
        }
        if groups >= 1 {
            if pos == d.len() {
                return true;
            }
            for &sep in sep_options(pos) {
                let q = pos + sep;
                let n = d.len().saturating_sub(q);
                if (1..=3).contains(&n) && d[q..].iter().all(u8::is_ascii_digit) {
                    return true;
                }
            }
        }
        false
    }
    d.len() >= 4 && d[..4].iter().all(u8::is_ascii_digit) && rest(d, 4, 0)
}

fn expand_stability(word: &[u8]) -> &'static str {
    match word.to_ascii_lowercase().as_slice() {
        b"a" | b"alpha" => "alpha",
        b"b" | b"beta" => "beta",
        b"p" | b"pl" | b"patch" => "patch",
        b"rc" => "RC",
        _ => "stable",
    }
}

fn add_modifiers(mut base: String, b: &[u8], caps: &ModCaps) -> String {
    if let Some((ws, we)) = caps.word {
        let word = &b[ws..we];
        if word == b"stable" {
            return base;
        }
        base.push('-');
        base.push_str(expand_stability(word));
        if let Some((ds, de)) = caps.digits {
            let digits = &b[ds..de];
            let skip = digits
                .iter()
                .take_while(|c| matches!(c, b'.' | b'-'))
                .count();
            base.extend(digits[skip..].iter().map(|c| *c as char));
        }
    }
    if caps.dev.is_some() {
        base.push_str("-dev");
    }
    base
}

/// `(.*?)[.-]?dev$` (case-insensitive, unanchored): the text before the `dev` suffix.
fn dev_suffix_prefix(v: &str) -> Option<&str> {
    let b = v.as_bytes();
    let len = b.len();
    let mut best: Option<usize> = None;
    let mut consider = |end: usize| {
        if end >= 3 && lit_at(b, end - 3, b"dev", true) {
            let k = if end >= 4 && matches!(b[end - 4], b'.' | b'-') {
                end - 4
            } else {
                end - 3
            };
            best = Some(best.map_or(k, |x: usize| x.min(k)));
        }
    };
    consider(len);
    if len > 0 && b[len - 1] == b'\n' {
        consider(len - 1);
    }
    let k = best?;
    // `.` does not match a newline, so the capture starts after the last one before `k`.
    let start = b[..k]
        .iter()
        .rposition(|c| *c == b'\n')
        .map_or(0, |i| i + 1);
    Some(sub(v, start, k))
}

/// Composer's `VersionParser::normalizeBranch`: `2.4.x` → `2.4.9999999.9999999-dev`,
/// `2` → `2.9999999.9999999.9999999-dev`, anything else → `dev-<name>`.
pub fn normalize_branch(name: &str) -> String {
    let name = php_trim(name);
    numeric_branch(name).unwrap_or_else(|| format!("dev-{name}"))
}

/// `^v?(\d++)(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?$` (case-insensitive).
fn numeric_branch(name: &str) -> Option<String> {
    const NINES: &str = "9999999";
    let b = name.as_bytes();
    let start = usize::from(matches!(b.first(), Some(b'v' | b'V')));
    let first_end = digits_end(b, start);
    if first_end == start {
        return None;
    }
    let mut out = String::with_capacity(name.len() + 32);
    out.push_str(sub(name, start, first_end));
    let mut p = first_end;
    let mut given = 0;
    while given < 3 && b.get(p) == Some(&b'.') {
        if is_digit_at(b, p + 1) {
            let end = digits_end(b, p + 1);
            out.push_str(sub(name, p, end));
            p = end;
        } else if matches!(b.get(p + 1), Some(b'x' | b'X' | b'*')) {
            out.push('.');
            out.push_str(NINES);
            p += 2;
        } else {
            break;
        }
        given += 1;
    }
    if !at_end(b, p) {
        return None;
    }
    for _ in given..3 {
        out.push('.');
        out.push_str(NINES);
    }
    out.push_str("-dev");
    Some(out)
}

/// The extra text Composer appends when an `as` alias is involved.
fn alias_hint(full: &str, version: &str) -> String {
    let spaced_as_before = |prefix: &str| -> bool {
        // Does `prefix` end with ` +as +`?
        let t = prefix.trim_end_matches(' ');
        t.len() < prefix.len() && t.ends_with("as") && t[..t.len() - 2].ends_with(' ')
    };
    let stability_suffixes = std::iter::once(String::new())
        .chain(FLAG_WORDS.iter().map(|w| format!("@{w}")))
        .collect::<Vec<_>>();
    for suffix in &stability_suffixes {
        let tail = format!("{version}{suffix}");
        if let Some(prefix) = full.strip_suffix(tail.as_str()) {
            if spaced_as_before(prefix) {
                return format!(" in \"{full}\", the alias must be an exact version");
            }
        }
    }
    for suffix in &stability_suffixes {
        let head = format!("{version}{suffix}");
        if let Some(rest) = full.strip_prefix(head.as_str()) {
            let r = rest.trim_start_matches(' ');
            if r.len() < rest.len() && r.starts_with("as") && r[2..].starts_with(' ') {
                return format!(
                    " in \"{full}\", the alias source must be an exact version, if it is a branch \
                     name you should prefix it with dev-"
                );
            }
        }
    }
    String::new()
}

/// A human explanation of why `v` (already trimmed) is not a version.
fn diagnose(v: &str) -> String {
    if v.is_empty() {
        return "the version is empty".to_string();
    }
    let b = v.as_bytes();
    if b.iter().any(|c| is_space(*c) || *c == b',') {
        return "a version must not contain spaces or commas (is this a constraint?)".to_string();
    }
    let start = usize::from(matches!(b.first(), Some(b'v' | b'V')));
    let mut p = digits_end(b, start);
    if p == start {
        if b.len() >= 4 && b[b.len() - 4..].eq_ignore_ascii_case(b"-dev") {
            return format!(
                "a branch must be written as \"dev-{}\"; only numeric branches may end in -dev",
                sub(v, 0, v.len() - 4)
            );
        }
        return "a version must start with a number, or be a branch written as dev-<name>"
            .to_string();
    }
    if p - start > 5 {
        return "the first number has more than 5 digits and the version is not date-like \
                (YYYYMMDD, YYYY.MM.DD, ...)"
            .to_string();
    }
    let mut parts = 1;
    while b.get(p) == Some(&b'.') && is_digit_at(b, p + 1) {
        p = digits_end(b, p + 1);
        parts += 1;
    }
    if parts > 4 {
        return format!("{parts} numeric parts given, at most 4 are allowed");
    }
    if p < b.len() {
        return format!(
            "unsupported suffix \"{}\": only one of stable, RC, beta/b, alpha/a, patch/pl/p \
             (optionally followed by numbers), then optionally -dev, is allowed",
            sub(v, p, v.len())
        );
    }
    "not a version Composer understands".to_string()
}
