//! PHP's `version_compare()` (php-src `ext/standard/versioning.c`), reproduced byte for byte,
//! and the version ordering Composer derives from it.

use std::cmp::Ordering;

/// PHP's `version_compare($a, $b)` as an [`Ordering`].
///
/// Both strings are canonicalised (`-`, `_`, `+` and other non-alphanumerics become `.`, a dot
/// is inserted between digits and letters), split on `.`, and compared part by part: numbers
/// numerically, words by their special-form rank
/// (`dev` < `alpha`=`a` < `beta`=`b` < `RC`=`rc` < number < `pl`=`p`; anything else is below
/// `dev`). Numbers that do not fit a C `long` saturate at `i64::MAX`, as `strtol` does.
pub fn version_compare(a: &str, b: &str) -> Ordering {
    php_version_compare(a, b).cmp(&0)
}

/// PHP's `version_compare($a, $b)` returning -1, 0 or 1.
pub fn php_version_compare(a: &str, b: &str) -> i32 {
    compare_bytes(until_nul(a.as_bytes()), until_nul(b.as_bytes()))
}

/// PHP's `version_compare($a, $b, $operator)` for the operators Composer uses
/// (`==`, `=`, `eq`, `!=`, `<>`, `ne`, `<`, `lt`, `<=`, `le`, `>`, `gt`, `>=`, `ge`).
/// Returns `None` for an unknown operator (PHP throws a `ValueError`).
pub fn version_compare_op(a: &str, b: &str, operator: &str) -> Option<bool> {
    let c = php_version_compare(a, b);
    Some(match operator {
        "<" | "lt" => c == -1,
        "<=" | "le" => c != 1,
        ">" | "gt" => c == 1,
        ">=" | "ge" => c != -1,
        "==" | "=" | "eq" => c == 0,
        "!=" | "<>" | "ne" => c != 0,
        _ => return None,
    })
}

/// Order two *normalized* versions the way Composer's solver does: PHP `version_compare`,
/// except that a `dev-` branch is below every other version and two different `dev-` branches
/// are not comparable (reported as `Equal`, so a stable sort keeps their original order, like
/// Composer keeps repository order).
pub fn compare_normalized(a: &str, b: &str) -> Ordering {
    match (a.starts_with("dev-"), b.starts_with("dev-")) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => version_compare(a, b),
    }
}

/// [`compare_normalized`], with ties broken by the bytes of the strings, so that it is a total
/// order that only calls identical strings equal (for maps and deterministic output).
pub fn compare_normalized_total(a: &str, b: &str) -> Ordering {
    compare_normalized(a, b).then_with(|| a.cmp(b))
}

/// `VersionParser::normalizeDefaultBranch`: the default-branch names `dev-master`,
/// `dev-default` and `dev-trunk` become `9999999-dev`, anything else is unchanged.
pub fn normalize_default_branch(normalized: &str) -> &str {
    match normalized {
        "dev-master" | "dev-default" | "dev-trunk" => "9999999-dev",
        other => other,
    }
}

/// The order of composer/semver's `Semver::sort` on normalized versions: after
/// [`normalize_default_branch`], `dev-` branches are below every other version and PHP
/// `version_compare` orders the rest. Composer's comparator (`Comparator::lessThan`) never
/// calls one branch less than another, so the order of two different branches is whatever its
/// sort algorithm leaves; here they are `Equal`, and a stable sort keeps them as given.
pub fn compare_for_sort(a: &str, b: &str) -> Ordering {
    compare_normalized(normalize_default_branch(a), normalize_default_branch(b))
}

/// `Semver::sort` (oldest first) or `Semver::rsort` (newest first) of version strings as
/// written; fails on the first string Composer cannot normalize. The sort is stable.
pub fn sort_versions(
    versions: &[&str],
    newest_first: bool,
) -> Result<Vec<String>, super::VersionError> {
    let mut keyed = versions
        .iter()
        .map(|v| super::normalize(v).map(|n| (n, v.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    keyed.sort_by(|(a, _), (b, _)| {
        if newest_first {
            compare_for_sort(b, a)
        } else {
            compare_for_sort(a, b)
        }
    });
    Ok(keyed.into_iter().map(|(_, v)| v).collect())
}

/// PHP passes `char *` to the C code, so everything from a NUL byte on is invisible.
fn until_nul(b: &[u8]) -> &[u8] {
    match b.iter().position(|c| *c == 0) {
        Some(i) => &b[..i],
        None => b,
    }
}

/// `php_canonicalize_version`, written into `out` (which must hold `2 * src.len()` bytes);
/// returns the length written.
fn canonicalize_into(src: &[u8], out: &mut [u8]) -> usize {
    let Some((&first, rest)) = src.split_first() else {
        return 0;
    };
    let is_dig = |c: u8| c.is_ascii_digit();
    let is_ndig = |c: u8| !c.is_ascii_digit() && c != b'.';
    let mut len = 0;
    let mut push = |c: u8, len: &mut usize| {
        if let Some(slot) = out.get_mut(*len) {
            *slot = c;
            *len += 1;
        }
    };
    push(first, &mut len);
    let mut last = first;
    let mut lp = first;
    for &c in rest {
        let need_dot = last != b'.';
        if matches!(c, b'-' | b'_' | b'+') {
            if need_dot {
                push(b'.', &mut len);
                last = b'.';
            }
        } else if (is_ndig(lp) && is_dig(c)) || (is_dig(lp) && is_ndig(c)) {
            if need_dot {
                push(b'.', &mut len);
            }
            push(c, &mut len);
            last = c;
        } else if !c.is_ascii_alphanumeric() {
            if need_dot {
                push(b'.', &mut len);
                last = b'.';
            }
        } else {
            push(c, &mut len);
            last = c;
        }
        lp = c;
    }
    len
}

/// Storage for a canonicalised string: short ones stay on the stack.
enum Store<'a> {
    Borrowed(&'a [u8]),
    Inline([u8; INLINE], usize),
    Heap(Vec<u8>),
}

const INLINE: usize = 96;

impl Store<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Store::Borrowed(b) => b,
            Store::Inline(buf, len) => buf.get(..*len).unwrap_or(&[]),
            Store::Heap(v) => v,
        }
    }
}

fn canonicalize(src: &[u8]) -> Store<'static> {
    if src.len() * 2 <= INLINE {
        let mut buf = [0u8; INLINE];
        let len = canonicalize_into(src, &mut buf);
        Store::Inline(buf, len)
    } else {
        let mut buf = vec![0u8; src.len() * 2];
        let len = canonicalize_into(src, &mut buf);
        buf.truncate(len);
        Store::Heap(buf)
    }
}

/// True when canonicalising `s`, or any suffix of it that starts right after a dot, returns
/// it unchanged: only alphanumerics and single dots, each part all digits or all letters, not
/// starting with a dot.
fn is_canonical_fixpoint(s: &[u8]) -> bool {
    let mut prev: Option<u8> = None;
    for &c in s {
        let ok = if c == b'.' {
            prev.is_some_and(|p| p != b'.')
        } else if c.is_ascii_digit() {
            !prev.is_some_and(|p| p.is_ascii_alphabetic())
        } else if c.is_ascii_alphabetic() {
            !prev.is_some_and(|p| p.is_ascii_digit())
        } else {
            false
        };
        if !ok {
            return false;
        }
        prev = Some(c);
    }
    true
}

/// `compare_special_version_forms`: the rank of a non-numeric part (prefix match).
fn special_form_rank(part: &[u8]) -> i32 {
    const FORMS: [(&[u8], i32); 10] = [
        (b"dev", 0),
        (b"alpha", 1),
        (b"a", 1),
        (b"beta", 2),
        (b"b", 2),
        (b"RC", 3),
        (b"rc", 3),
        (b"#", 4),
        (b"pl", 5),
        (b"p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| part.starts_with(name))
        .map_or(-1, |(_, rank)| *rank)
}

/// `strtol(part, NULL, 10)` for a part starting with a digit: saturates at `LONG_MAX`.
fn strtol(part: &[u8]) -> i64 {
    let mut value: i64 = 0;
    for &c in part.iter().take_while(|c| c.is_ascii_digit()) {
        value = match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(c - b'0')))
        {
            Some(v) => v,
            None => return i64::MAX,
        };
    }
    value
}

const MARKER: &[u8] = b"#N#";

fn compare_parts(x: &[u8], y: &[u8]) -> i32 {
    let dx = x.first().is_some_and(u8::is_ascii_digit);
    let dy = y.first().is_some_and(u8::is_ascii_digit);
    let c = match (dx, dy) {
        (true, true) => strtol(x).cmp(&strtol(y)),
        (false, false) => special_form_rank(x).cmp(&special_form_rank(y)),
        (true, false) => special_form_rank(MARKER).cmp(&special_form_rank(y)),
        (false, true) => special_form_rank(x).cmp(&special_form_rank(MARKER)),
    };
    c as i32
}

/// One side of a comparison: a buffer, where the string starts in it, and whether
/// canonicalising that string is known to be a no-op.
struct Side<'a> {
    bytes: Store<'a>,
    start: usize,
    fixpoint: bool,
}

impl<'a> Side<'a> {
    fn raw(bytes: &'a [u8]) -> Self {
        Side {
            bytes: Store::Borrowed(bytes),
            start: 0,
            fixpoint: false,
        }
    }

    fn view(&self) -> &[u8] {
        self.bytes.bytes().get(self.start..).unwrap_or(&[])
    }

    /// What `php_version_compare` works on: the string itself when it starts with `#`,
    /// its canonical form otherwise.
    fn prepared(self) -> Self {
        let view = self.view();
        if view.first() == Some(&b'#') || self.fixpoint {
            return self;
        }
        if is_canonical_fixpoint(view) {
            return Side {
                fixpoint: true,
                ..self
            };
        }
        let canon = canonicalize(view);
        let fixpoint = is_canonical_fixpoint(canon.bytes());
        Side {
            bytes: canon,
            start: 0,
            fixpoint,
        }
    }

    /// The rest of the string from `offset` (relative to the view; always right after a dot).
    fn into_suffix(self, offset: usize) -> Self {
        Side {
            start: self.start + offset,
            ..self
        }
    }
}

enum Step {
    Done(i32),
    /// `php_version_compare(rest_of_left, "#N#")`.
    LeftTail(usize),
    /// `php_version_compare("#N#", rest_of_right)`.
    RightTail(usize),
}

/// The main loop of `php_version_compare` on two prepared strings.
fn compare_prepared(a: &[u8], b: &[u8]) -> Step {
    let (mut p1, mut p2) = (0usize, 0usize);
    // `n1`/`n2` start out as non-NULL pointers in the C code.
    let mut n1: Option<usize> = Some(0);
    let mut n2: Option<usize> = Some(0);
    let mut compare = 0;
    while p1 < a.len() && p2 < b.len() && n1.is_some() && n2.is_some() {
        n1 = a[p1..].iter().position(|c| *c == b'.').map(|i| p1 + i);
        n2 = b[p2..].iter().position(|c| *c == b'.').map(|i| p2 + i);
        let part1 = &a[p1..n1.unwrap_or(a.len())];
        let part2 = &b[p2..n2.unwrap_or(b.len())];
        compare = compare_parts(part1, part2);
        if compare != 0 {
            break;
        }
        if let Some(n) = n1 {
            p1 = n + 1;
        }
        if let Some(n) = n2 {
            p2 = n + 1;
        }
    }
    if compare == 0 {
        if n1.is_some() {
            if a.get(p1).is_some_and(u8::is_ascii_digit) {
                return Step::Done(1);
            }
            return Step::LeftTail(p1);
        } else if n2.is_some() {
            if b.get(p2).is_some_and(u8::is_ascii_digit) {
                return Step::Done(-1);
            }
            return Step::RightTail(p2);
        }
    }
    Step::Done(compare)
}

fn compare_bytes(a: &[u8], b: &[u8]) -> i32 {
    let mut left = Side::raw(a);
    let mut right = Side::raw(b);
    // The C code recurses on the remaining parts against "#N#"; this loop is that recursion
    // (each round consumes at least one part, so it ends).
    loop {
        if left.view().is_empty() || right.view().is_empty() {
            return match (left.view().is_empty(), right.view().is_empty()) {
                (true, true) => 0,
                (false, _) => 1,
                (true, false) => -1,
            };
        }
        let l = left.prepared();
        let r = right.prepared();
        match compare_prepared(l.view(), r.view()) {
            Step::Done(c) => return c,
            Step::LeftTail(p) => {
                left = l.into_suffix(p);
                right = Side::raw(MARKER);
            }
            Step::RightTail(p) => {
                left = Side::raw(MARKER);
                right = r.into_suffix(p);
            }
        }
    }
}
