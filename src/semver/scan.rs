//! Hand-written equivalents of the PCRE building blocks used by composer/semver.
//!
//! Composer matches versions with regular expressions; this crate does not use a regex
//! engine, so every pattern is reproduced here by hand, including PCRE's backtracking order
//! where it decides which text a group captures. Positions are byte offsets; every cut point
//! produced by these helpers falls on an ASCII byte, so slicing the original `&str` at them is
//! always valid (callers still use `str::get` so that a bug could never panic).

/// PCRE's `\s` (PCRE2, non-UTF mode): space, `\t`, `\n`, `\v`, `\f`, `\r`.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// PHP's `trim()` with its default character list `" \t\n\r\0\x0B"` (note: no `\f`).
pub(crate) fn php_trim(s: &str) -> &str {
    s.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\0' | '\x0B'))
}

/// PCRE's `$` without the `D` modifier: end of subject, or just before a final `\n`.
pub(crate) fn at_end(s: &[u8], pos: usize) -> bool {
    pos == s.len() || (pos + 1 == s.len() && s[pos] == b'\n')
}

pub(crate) fn is_digit_at(s: &[u8], pos: usize) -> bool {
    s.get(pos).is_some_and(u8::is_ascii_digit)
}

/// End of the run of ASCII digits starting at `pos`.
pub(crate) fn digits_end(s: &[u8], pos: usize) -> usize {
    let mut p = pos;
    while is_digit_at(s, p) {
        p += 1;
    }
    p
}

/// Does `lit` occur at `pos` (ASCII case-insensitively when `ci`)?
pub(crate) fn lit_at(s: &[u8], pos: usize, lit: &[u8], ci: bool) -> bool {
    match s.get(pos..pos + lit.len()) {
        Some(chunk) if ci => chunk.eq_ignore_ascii_case(lit),
        Some(chunk) => chunk == lit,
        None => false,
    }
}

/// Slice a `&str` by byte offsets without ever panicking.
pub(crate) fn sub(s: &str, from: usize, to: usize) -> &str {
    s.get(from..to).unwrap_or("")
}

/// Captures of Composer's modifier pattern
/// `[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ModCaps {
    /// The stability word (group 1).
    pub word: Option<(usize, usize)>,
    /// The numbers after the word (group 2), possibly empty.
    pub digits: Option<(usize, usize)>,
    /// The `[.-]?dev` suffix (group 3).
    pub dev: Option<(usize, usize)>,
}

const MOD_WORDS: [&[u8]; 9] = [
    b"stable", b"beta", b"b", b"RC", b"alpha", b"a", b"patch", b"pl", b"p",
];

/// End of the possessive `(?:[.-]?\d+)*+` starting at `pos`.
fn number_seq_end(s: &[u8], pos: usize) -> usize {
    let mut p = pos;
    loop {
        let q = if matches!(s.get(p), Some(b'.' | b'-')) {
            p + 1
        } else {
            p
        };
        if is_digit_at(s, q) {
            p = digits_end(s, q);
        } else {
            return p;
        }
    }
}

/// `([.-]?dev)?` followed by the continuation, in PCRE's greedy order.
fn match_dev_suffix(
    s: &[u8],
    pos: usize,
    ci: bool,
    cont: &mut dyn FnMut(usize) -> bool,
) -> Option<Option<(usize, usize)>> {
    if matches!(s.get(pos), Some(b'.' | b'-')) && lit_at(s, pos + 1, b"dev", ci) && cont(pos + 4) {
        return Some(Some((pos, pos + 4)));
    }
    if lit_at(s, pos, b"dev", ci) && cont(pos + 3) {
        return Some(Some((pos, pos + 3)));
    }
    if cont(pos) {
        return Some(None);
    }
    None
}

/// Match the modifier pattern at `pos`, then `cont` at the position where it ends. Returns the
/// captures of the first successful path in PCRE's backtracking order (`ci` = the `i` flag).
pub(crate) fn match_modifier(
    s: &[u8],
    pos: usize,
    ci: bool,
    cont: &mut dyn FnMut(usize) -> bool,
) -> Option<ModCaps> {
    let seps: &[usize] = if matches!(s.get(pos), Some(b'.' | b'_' | b'-')) {
        &[1, 0]
    } else {
        &[0]
    };
    for &sep in seps {
        let p1 = pos + sep;
        for word in MOD_WORDS {
            if !lit_at(s, p1, word, ci) {
                continue;
            }
            let p2 = p1 + word.len();
            let num_end = number_seq_end(s, p2);
            if let Some(dev) = match_dev_suffix(s, num_end, ci, cont) {
                return Some(ModCaps {
                    word: Some((p1, p2)),
                    digits: Some((p2, num_end)),
                    dev,
                });
            }
            if num_end != p2 {
                // The optional group around the possessive star may still be skipped.
                if let Some(dev) = match_dev_suffix(s, p2, ci, cont) {
                    return Some(ModCaps {
                        word: Some((p1, p2)),
                        digits: None,
                        dev,
                    });
                }
            }
        }
        if let Some(dev) = match_dev_suffix(s, p1, ci, cont) {
            return Some(ModCaps {
                word: None,
                digits: None,
                dev,
            });
        }
    }
    None
}

/// Captures of the constraint parser's version pattern
/// `v?(\d++)(?:\.(\d++))?(?:\.(\d++))?(?:\.(\d++))?(?:MOD|\.([xX*][.-]?dev))(?:\+[^\s]+)?`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct VersionCaps {
    pub nums: [Option<(usize, usize)>; 4],
    pub modifier: ModCaps,
    /// `x-dev` in `2.x-dev` (the group without its leading dot).
    pub xdev: Option<(usize, usize)>,
    /// Where the pattern ended (before the continuation).
    pub end: usize,
}

/// `(?:\+[^\s]+)?` then the continuation; returns the end position handed to `cont`.
fn build_then(s: &[u8], pos: usize, cont: &mut dyn FnMut(usize) -> bool) -> Option<usize> {
    if s.get(pos) == Some(&b'+') && s.get(pos + 1).is_some_and(|c| !is_space(*c)) {
        let mut r = pos + 1;
        while s.get(r).is_some_and(|c| !is_space(*c)) {
            r += 1;
        }
        // Shorter runs would leave a non-space byte, which neither `$` nor ` +- +` accepts.
        if cont(r) {
            return Some(r);
        }
    }
    if cont(pos) {
        return Some(pos);
    }
    None
}

/// Match the constraint version pattern (case-insensitive) at `pos`, then `cont`.
pub(crate) fn match_version_pattern(
    s: &[u8],
    pos: usize,
    cont: &mut dyn FnMut(usize) -> bool,
) -> Option<VersionCaps> {
    let mut p = pos;
    if matches!(s.get(p), Some(b'v' | b'V')) {
        p += 1;
    }
    let first_end = digits_end(s, p);
    if first_end == p {
        return None;
    }
    let mut caps = VersionCaps::default();
    caps.nums[0] = Some((p, first_end));
    p = first_end;
    for slot in caps.nums.iter_mut().skip(1) {
        if s.get(p) == Some(&b'.') && is_digit_at(s, p + 1) {
            let end = digits_end(s, p + 1);
            *slot = Some((p + 1, end));
            p = end;
        } else {
            break;
        }
    }
    let mut end = None;
    {
        let mut with_build = |q: usize| match build_then(s, q, &mut *cont) {
            Some(e) => {
                end = Some(e);
                true
            }
            None => false,
        };
        if let Some(m) = match_modifier(s, p, true, &mut with_build) {
            caps.modifier = m;
        } else if s.get(p) == Some(&b'.') && matches!(s.get(p + 1), Some(b'x' | b'X' | b'*')) {
            let q = p + 2;
            if matches!(s.get(q), Some(b'.' | b'-'))
                && lit_at(s, q + 1, b"dev", true)
                && with_build(q + 4)
            {
                caps.xdev = Some((p + 1, q + 4));
            } else if lit_at(s, q, b"dev", true) && with_build(q + 3) {
                caps.xdev = Some((p + 1, q + 3));
            } else {
                return None;
            }
        } else {
            return None;
        }
    }
    caps.end = end?;
    Some(caps)
}

/// `^([^,\s]++) ++as ++([^,\s]++)$`: returns the part before ` as `.
pub(crate) fn alias_source(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let token = |from: usize| {
        let mut p = from;
        while b.get(p).is_some_and(|c| *c != b',' && !is_space(*c)) {
            p += 1;
        }
        p
    };
    let spaces = |from: usize| {
        let mut p = from;
        while b.get(p) == Some(&b' ') {
            p += 1;
        }
        p
    };
    let first = token(0);
    if first == 0 {
        return None;
    }
    let p = spaces(first);
    if p == first || !lit_at(b, p, b"as", false) {
        return None;
    }
    let q = spaces(p + 2);
    if q == p + 2 {
        return None;
    }
    let end = token(q);
    if end == q || !at_end(b, end) {
        return None;
    }
    Some(sub(s, 0, first))
}

/// Stability words accepted after `@`, in Composer's order.
pub(crate) const FLAG_WORDS: [&str; 5] = ["stable", "RC", "beta", "alpha", "dev"];

/// If the bytes from `pos` are exactly one stability word (case-insensitive) followed by the
/// end of the subject (`$` semantics), return that word's range.
pub(crate) fn flag_word_at(b: &[u8], pos: usize) -> Option<(usize, usize)> {
    FLAG_WORDS.iter().find_map(|w| {
        let end = pos + w.len();
        (lit_at(b, pos, w.as_bytes(), true) && at_end(b, end)).then_some((pos, end))
    })
}

/// Offset of the first `\n` in `s[from..]`, or `s.len()`.
pub(crate) fn line_end(s: &[u8], from: usize) -> usize {
    s.get(from..)
        .and_then(|rest| rest.iter().position(|c| *c == b'\n'))
        .map_or(s.len(), |i| from + i)
}
