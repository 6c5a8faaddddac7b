//! Version constraints: `VersionParser::parseConstraints`, `Constraint`, `MultiConstraint`,
//! `MatchAllConstraint` (composer/semver 3.3.2) and the matching Composer's solver uses.

use std::borrow::Cow;
use std::fmt;

use super::compare::php_version_compare;
use super::scan::{
    alias_source, at_end, digits_end, flag_word_at, is_digit_at, is_space, line_end,
    match_modifier, match_version_pattern, php_trim, sub, VersionCaps,
};
use super::stability::{parse_stability, Stability};
use super::version::normalize;

/// A comparison operator, as Composer prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `==` (also written `=` or nothing)
    Eq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `!=` (also written `<>`)
    Ne,
}

impl Op {
    /// Composer's spelling (`Constraint::$transOpInt`).
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Ne => "!=",
        }
    }

    /// The operator without `=` characters (Composer's `$noEqualOp`).
    fn without_equals(self) -> &'static str {
        match self {
            Op::Eq => "",
            Op::Lt | Op::Le => "<",
            Op::Gt | Op::Ge => ">",
            Op::Ne => "!",
        }
    }

    /// Parse one of `==`, `=`, `<`, `<=`, `>`, `>=`, `!=`, `<>`.
    pub fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "=" | "==" => Op::Eq,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "!=" | "<>" => Op::Ne,
            _ => return None,
        })
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The structure of a parsed constraint.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ConstraintNode {
    /// `*`: matches every version, `dev-` branches included.
    MatchAll,
    /// One comparison against a normalized version.
    Single { op: Op, version: String },
    /// Several constraints that must all match (`conjunctive`) or of which one must match.
    Multi {
        conjunctive: bool,
        items: Vec<ConstraintNode>,
    },
}

impl fmt::Display for ConstraintNode {
    /// Composer's `__toString()`: `== 1.0.0.0`, `*`, `[>= 1.0.0.0-dev < 2.0.0.0-dev]`,
    /// `[== 1.0.0.0 || == 2.0.0.0]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConstraintNode::MatchAll => f.write_str("*"),
            ConstraintNode::Single { op, version } => write!(f, "{} {}", op.as_str(), version),
            ConstraintNode::Multi { conjunctive, items } => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(if *conjunctive { " " } else { " || " })?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

impl ConstraintNode {
    /// Does the normalized version `version` satisfy this constraint? This is what Composer's
    /// pool does (`CompilingMatcher::match($constraint, Constraint::OP_EQ, $version)`).
    pub fn matches_version(&self, version: &str) -> bool {
        match self {
            ConstraintNode::MatchAll => true,
            ConstraintNode::Single { op, version: bound } => single_matches(*op, bound, version),
            ConstraintNode::Multi { conjunctive, items } => {
                if *conjunctive {
                    items.iter().all(|c| c.matches_version(version))
                } else {
                    items.iter().any(|c| c.matches_version(version))
                }
            }
        }
    }

    /// Composer's `ConstraintInterface::matches($provider)`: do the two constraints have a
    /// version in common? Used for `provide`/`replace`/`conflict` links.
    pub fn matches(&self, provider: &ConstraintNode) -> bool {
        match self {
            ConstraintNode::MatchAll => true,
            ConstraintNode::Single { op, version } => match provider {
                ConstraintNode::Single {
                    op: p_op,
                    version: p_version,
                } => match_specific(*op, version, *p_op, p_version),
                _ => provider.matches(self),
            },
            ConstraintNode::Multi { conjunctive, items } => {
                if !*conjunctive {
                    return items.iter().any(|c| provider.matches(c));
                }
                if let ConstraintNode::Multi {
                    conjunctive: false, ..
                } = provider
                {
                    return provider.matches(self);
                }
                items.iter().all(|c| provider.matches(c))
            }
        }
    }
}

/// `CompilingMatcher` semantics of one comparison against the version `v`
/// (`$b` = `v` is a `dev-` branch).
fn single_matches(op: Op, bound: &str, v: &str) -> bool {
    let v_is_branch = v.starts_with("dev-");
    if bound.starts_with("dev-") {
        return match op {
            Op::Eq => v_is_branch && v == bound,
            Op::Ne => !v_is_branch || v != bound,
            _ => false,
        };
    }
    let c = php_version_compare(v, bound);
    match op {
        Op::Eq => c == 0,
        Op::Ne => v_is_branch || c != 0,
        _ if v_is_branch => false,
        Op::Lt => c == -1,
        Op::Le => c != 1,
        Op::Gt => c == 1,
        Op::Ge => c != -1,
    }
}

/// `Constraint::versionCompare($a, $b, $operator, false)`.
fn version_compare_branches(a: &str, b: &str, op: Op) -> bool {
    let a_branch = a.starts_with("dev-");
    let b_branch = b.starts_with("dev-");
    if op == Op::Ne && (a_branch || b_branch) {
        return a != b;
    }
    if a_branch && b_branch {
        return op == Op::Eq && a == b;
    }
    if a_branch || b_branch {
        return false;
    }
    let c = php_version_compare(a, b);
    match op {
        Op::Eq => c == 0,
        Op::Ne => c != 0,
        Op::Lt => c == -1,
        Op::Le => c != 1,
        Op::Gt => c == 1,
        Op::Ge => c != -1,
    }
}

/// `Constraint::matchSpecific($provider)` with `$this` = (`op`, `version`).
fn match_specific(op: Op, version: &str, p_op: Op, p_version: &str) -> bool {
    let is_eq = op == Op::Eq;
    let is_ne = op == Op::Ne;
    let p_is_eq = p_op == Op::Eq;
    let p_is_ne = p_op == Op::Ne;
    if is_ne || p_is_ne {
        if is_ne && !p_is_ne && !p_is_eq && p_version.starts_with("dev-") {
            return false;
        }
        if p_is_ne && !is_ne && !is_eq && version.starts_with("dev-") {
            return false;
        }
        if !is_eq && !p_is_eq {
            return true;
        }
        return version_compare_branches(p_version, version, Op::Ne);
    }
    if !is_eq && op.without_equals() == p_op.without_equals() {
        return !(version.starts_with("dev-") || p_version.starts_with("dev-"));
    }
    let (v1, v2, cmp_op) = if is_eq {
        (version, p_version, p_op)
    } else {
        (p_version, version, op)
    };
    if version_compare_branches(v1, v2, cmp_op) {
        return !(p_op.as_str() == p_op.without_equals()
            && op.as_str() != op.without_equals()
            && php_version_compare(p_version, version) == 0);
    }
    false
}

/// A parsed version constraint.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Constraint {
    node: ConstraintNode,
    pretty: String,
    stability_flag: Option<Stability>,
}

impl Constraint {
    /// Parse like Composer's `VersionParser::parseConstraints`. Same as [`parse_constraints`].
    pub fn parse(s: &str) -> Result<Constraint, ConstraintError> {
        parse_constraints(s)
    }

    /// Build a constraint from its structure (its pretty string is its Composer string form).
    pub fn from_node(node: ConstraintNode) -> Constraint {
        Constraint {
            pretty: node.to_string(),
            node,
            stability_flag: None,
        }
    }

    /// `== version`, the form Composer gives a concrete package version.
    pub fn exact(normalized_version: &str) -> Constraint {
        Constraint::from_node(ConstraintNode::Single {
            op: Op::Eq,
            version: normalized_version.to_string(),
        })
    }

    /// `*`.
    pub fn match_all() -> Constraint {
        Constraint::from_node(ConstraintNode::MatchAll)
    }

    /// The parsed structure.
    pub fn node(&self) -> &ConstraintNode {
        &self.node
    }

    /// The string the constraint was parsed from, unchanged (Composer's pretty string).
    pub fn pretty(&self) -> &str {
        &self.pretty
    }

    /// Does the *normalized* version satisfy the constraint (Composer's pool check, before any
    /// stability filtering)? `dev-` branches only satisfy `==` the identical string, `!=`
    /// another string, and `*`.
    pub fn matches_version(&self, normalized_version: &str) -> bool {
        self.node.matches_version(normalized_version)
    }

    /// Composer's `ConstraintInterface::matches`: do the two constraints intersect?
    pub fn matches(&self, other: &Constraint) -> bool {
        self.node.matches(&other.node)
    }

    /// Is this `*` (as from `*`, `x`, `@dev`)?
    pub fn is_match_all(&self) -> bool {
        self.node == ConstraintNode::MatchAll
    }

    /// The least stable explicit `@stability` flag written on any term (`^2.4@beta`, `@dev`,
    /// `1.2.*@stable`), as the constraint parser sees the terms. `None` if there is none.
    /// For the exact rules Composer applies to root requirements (including inferred flags
    /// such as `1.0.0-beta2`), use [`super::root_stability_flag`].
    pub fn stability_flag(&self) -> Option<Stability> {
        self.stability_flag
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.node.fmt(f)
    }
}

/// A constraint Composer cannot parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid version constraint \"{input}\": {message}")]
pub struct ConstraintError {
    /// The whole constraint string, unchanged.
    pub input: String,
    /// Composer's own exception message, e.g.
    /// `Could not parse version constraint foo: Invalid version string "foo"`.
    pub message: String,
}

impl ConstraintError {
    /// The message Composer itself prints.
    pub fn composer_message(&self) -> &str {
        &self.message
    }
}

/// Parse a constraint string exactly like Composer's `VersionParser::parseConstraints`.
///
/// `^2.4` → `[>= 2.4.0.0-dev < 3.0.0.0-dev]`, `2.4.7` → `== 2.4.7.0`,
/// `^1.0 || ^2.0` → `[>= 1.0.0.0-dev < 3.0.0.0-dev]`, `*` → `*`.
pub fn parse_constraints(input: &str) -> Result<Constraint, ConstraintError> {
    let trimmed = php_trim(input);
    let mut groups: Vec<ConstraintNode> = Vec::new();
    let mut flag: Option<Stability> = None;
    for or_part in split_or(trimmed) {
        let and_parts = split_and(or_part);
        let mut items: Vec<ConstraintNode> = Vec::with_capacity(2 * and_parts.len());
        for term in and_parts {
            let parsed = parse_term(term).map_err(|message| ConstraintError {
                input: input.to_string(),
                message,
            })?;
            if let Some(f) = parsed.flag {
                flag = Some(flag.map_or(f, |g| g.max(f)));
            }
            items.extend(parsed.nodes);
        }
        let node = if items.len() == 1 {
            items.pop().unwrap_or(ConstraintNode::MatchAll)
        } else {
            ConstraintNode::Multi {
                conjunctive: true,
                items,
            }
        };
        groups.push(node);
    }
    Ok(Constraint {
        node: create_disjunction(groups),
        pretty: input.to_string(),
        stability_flag: flag,
    })
}

/// `MultiConstraint::create($constraints, false)` with its optimisation that merges adjacent
/// ranges: `[>= 1 < 2] || [>= 2 < 3]` becomes `[>= 1 < 3]`.
fn create_disjunction(groups: Vec<ConstraintNode>) -> ConstraintNode {
    let mut iter = groups.into_iter();
    let Some(mut left) = iter.next() else {
        return ConstraintNode::MatchAll;
    };
    // Without any merge this rebuilds the original list, so it is used in both cases.
    let mut merged = Vec::new();
    for right in iter {
        match join_ranges(&left, &right) {
            Some(joined) => left = joined,
            None => merged.push(std::mem::replace(&mut left, right)),
        }
    }
    merged.push(left);
    if merged.len() == 1 {
        return merged.pop().unwrap_or(ConstraintNode::MatchAll);
    }
    ConstraintNode::Multi {
        conjunctive: false,
        items: merged,
    }
}

fn join_ranges(left: &ConstraintNode, right: &ConstraintNode) -> Option<ConstraintNode> {
    let (
        ConstraintNode::Multi {
            conjunctive: true,
            items: l,
        },
        ConstraintNode::Multi {
            conjunctive: true,
            items: r,
        },
    ) = (left, right)
    else {
        return None;
    };
    if l.len() != 2 || r.len() != 2 {
        return None;
    }
    let l0 = l[0].to_string();
    let l1 = l[1].to_string();
    let r0 = r[0].to_string();
    let r1 = r[1].to_string();
    let ok = l0.starts_with(">=")
        && l1.starts_with('<')
        && r0.starts_with(">=")
        && r1.starts_with('<')
        && l1.get(2..).unwrap_or("") == r0.get(3..).unwrap_or("");
    ok.then(|| ConstraintNode::Multi {
        conjunctive: true,
        items: vec![l[0].clone(), r[1].clone()],
    })
}

/// `preg_split('{\s*\|\|?\s*}', $s)`.
pub(crate) fn split_or(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut last = 0;
    let mut search = 0;
    while let Some(pipe) = b
        .get(search..)
        .and_then(|rest| rest.iter().position(|c| *c == b'|'))
        .map(|i| search + i)
    {
        let mut start = pipe;
        while start > search && is_space(b[start - 1]) {
            start -= 1;
        }
        let mut end = pipe + 1;
        if b.get(end) == Some(&b'|') {
            end += 1;
        }
        while b.get(end).is_some_and(|c| is_space(*c)) {
            end += 1;
        }
        out.push(sub(s, last, start));
        last = end;
        search = end;
    }
    out.push(sub(s, last, s.len()));
    out
}

/// `preg_split('{(?<!^|as|[=>< ,]) *(?<!-)[, ](?!-) *(?!,|as|$)}', $s)`: commas and spaces
/// separate AND terms, except next to a hyphen, after an operator, or around `as`.
pub(crate) fn split_and(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        if let Some(end) = and_separator_at(b, i) {
            out.push(sub(s, last, i));
            last = end;
            i = end;
        } else {
            i += 1;
        }
    }
    out.push(sub(s, last, s.len()));
    out
}

fn and_separator_at(b: &[u8], i: usize) -> Option<usize> {
    if i == 0
        || (i >= 2 && &b[i - 2..i] == b"as")
        || matches!(b[i - 1], b'=' | b'>' | b'<' | b' ' | b',')
    {
        return None;
    }
    let count_spaces = |from: usize| {
        b.get(from..)
            .map_or(0, |r| r.iter().take_while(|c| **c == b' ').count())
    };
    let lead = count_spaces(i);
    for a in (0..=lead).rev() {
        let j = i + a;
        if !matches!(b.get(j), Some(b',' | b' ')) || b[j - 1] == b'-' || b.get(j + 1) == Some(&b'-')
        {
            continue;
        }
        let trail = count_spaces(j + 1);
        for t in (0..=trail).rev() {
            let k = j + 1 + t;
            if b.get(k) == Some(&b',') || b.get(k..k + 2) == Some(b"as") || at_end(b, k) {
                continue;
            }
            return Some(k);
        }
    }
    None
}

/// One AND term after parsing: one or two primitive constraints, and its `@flag`.
struct ParsedTerm {
    nodes: Vec<ConstraintNode>,
    flag: Option<Stability>,
}

fn single(op: Op, version: String) -> ConstraintNode {
    ConstraintNode::Single { op, version }
}

fn normalize_msg(v: &str) -> Result<String, String> {
    normalize(v).map_err(|e| e.composer_message().to_string())
}

/// `VersionParser::parseConstraint` for one AND term.
fn parse_term(term: &str) -> Result<ParsedTerm, String> {
    let mut c: &str = term;
    if let Some(src) = alias_source(c) {
        c = src;
    }
    // `^([^,\s]*?)@(stable|RC|beta|alpha|dev)$`i
    let mut modifier: Option<&str> = None;
    let mut flag = None;
    if let Some((prefix, word)) = split_stability_flag(c) {
        flag = word.parse::<Stability>().ok();
        if word != "stable" {
            modifier = Some(word);
        }
        c = if prefix.is_empty() { "*" } else { prefix };
    }
    if let Some(without_ref) = strip_reference(c) {
        c = without_ref;
    }
    let nodes = parse_bare_term(c, modifier)?;
    Ok(ParsedTerm { nodes, flag })
}

fn split_stability_flag(c: &str) -> Option<(&str, &str)> {
    let b = c.as_bytes();
    for (at, ch) in b.iter().enumerate() {
        if *ch == b',' || is_space(*ch) {
            return None;
        }
        if *ch == b'@' {
            if let Some((s, e)) = flag_word_at(b, at + 1) {
                return Some((sub(c, 0, at), sub(c, s, e)));
            }
        }
    }
    None
}

/// `^(dev-[^,\s@]+?|[^,\s@]+?\.x-dev)#.+$`i → `$1`.
fn strip_reference(c: &str) -> Option<&str> {
    let b = c.as_bytes();
    let allowed = |ch: u8| ch != b',' && ch != b'@' && !is_space(ch);
    // `#.+$`: one non-newline byte after `#`, no newline later except a final one.
    let no_newline_from = {
        let body = match b.last() {
            Some(b'\n') => &b[..b.len() - 1],
            _ => b,
        };
        body.iter()
            .rposition(|ch| *ch == b'\n')
            .map_or(0, |i| i + 1)
    };
    let ref_ok = |hash: usize| {
        b.get(hash) == Some(&b'#')
            && b.get(hash + 1).is_some_and(|ch| *ch != b'\n')
            && hash + 1 >= no_newline_from
    };
    if b.len() >= 4 && b[..4].eq_ignore_ascii_case(b"dev-") {
        for k in 5..b.len() {
            if !allowed(b[k - 1]) {
                break;
            }
            if ref_ok(k) {
                return Some(sub(c, 0, k));
            }
        }
    }
    for k in 1..b.len() {
        if !allowed(b[k - 1]) {
            break;
        }
        if b.get(k..k + 6)
            .is_some_and(|x| x.eq_ignore_ascii_case(b".x-dev"))
            && ref_ok(k + 6)
        {
            return Some(sub(c, 0, k + 6));
        }
    }
    None
}

/// `^(v)?[xX*](\.[xX*])*$`i: `Some(true)` when a `v` or more than one part is present.
fn wildcard(b: &[u8]) -> Option<bool> {
    let has_v = matches!(b.first(), Some(b'v' | b'V'));
    let mut p = usize::from(has_v);
    if !matches!(b.get(p), Some(b'x' | b'X' | b'*')) {
        return None;
    }
    p += 1;
    let mut more = false;
    while b.get(p) == Some(&b'.') && matches!(b.get(p + 1), Some(b'x' | b'X' | b'*')) {
        p += 2;
        more = true;
    }
    at_end(b, p).then_some(has_v || more)
}

/// The digit groups of a match, as PHP sees them (`""` when a group did not take part).
fn numbers<'a>(c: &'a str, nums: &[Option<(usize, usize)>; 4]) -> [&'a str; 4] {
    nums.map(|n| n.map_or("", |(s, e)| sub(c, s, e)))
}

/// `$x += 1` on a PHP numeric string, converted back to a string.
fn php_increment(digits: &str) -> String {
    let significant = digits.trim_start_matches('0');
    let value = if significant.is_empty() {
        Some(0i64)
    } else if significant.len() <= 19 {
        significant.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(next) = value.and_then(|n| n.checked_add(1)) {
        return next.to_string();
    }
    // Beyond PHP_INT_MAX PHP switches to a float, printed with precision 14.
    let value = digits.parse::<f64>().unwrap_or(f64::INFINITY) + 1.0;
    php_float_to_string(value)
}

/// PHP's `(string)` of a float at the default `precision=14`, for values ≥ 1e15.
fn php_float_to_string(value: f64) -> String {
    if value.is_infinite() {
        return "INF".to_string();
    }
    let formatted = format!("{value:.13e}");
    let (mantissa, exponent) = formatted.split_once('e').unwrap_or((&formatted, "0"));
    let mantissa = if mantissa.contains('.') {
        let m = mantissa.trim_end_matches('0');
        if m.ends_with('.') {
            format!("{m}0")
        } else {
            m.to_string()
        }
    } else {
        format!("{mantissa}.0")
    };
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exponent),
    };
    format!("{mantissa}E{sign}{digits}")
}

/// `manipulateVersionString($matches, $position, $increment)` for positions 1 to 4.
fn manipulate(nums: [&str; 4], position: usize, increment: bool) -> String {
    let mut parts: [Cow<'_, str>; 4] = nums.map(Cow::Borrowed);
    for (idx, part) in parts.iter_mut().enumerate() {
        let i = idx + 1;
        if i > position {
            *part = Cow::Borrowed("0");
        } else if i == position && increment {
            *part = Cow::Owned(php_increment(part));
        }
    }
    parts.join(".")
}

/// `empty()` on the word, dev and x-dev groups: no stability suffix at all.
fn has_no_suffix(caps: &VersionCaps) -> bool {
    caps.modifier.word.is_none() && caps.modifier.dev.is_none() && caps.xdev.is_none()
}

fn parse_bare_term(c: &str, modifier: Option<&str>) -> Result<Vec<ConstraintNode>, String> {
    let b = c.as_bytes();

    if let Some(extra) = wildcard(b) {
        return Ok(vec![if extra {
            single(Op::Ge, "0.0.0.0-dev".to_string())
        } else {
            ConstraintNode::MatchAll
        }]);
    }

    // Tilde range: `^~>?VERSION$`i
    if b.first() == Some(&b'~') {
        let start = if b.get(1) == Some(&b'>') { 2 } else { 1 };
        if let Some(caps) = match_version_pattern(b, start, &mut |q| at_end(b, q)) {
            if c.starts_with("~>") {
                return Err(format!(
                    "Could not parse version constraint {c}: Invalid operator \"~>\", you \
                     probably meant to use the \"~\" operator"
                ));
            }
            let mut position = match caps.nums {
                [_, _, _, Some(_)] => 4,
                [_, _, Some(_), None] => 3,
                [_, Some(_), None, None] => 2,
                _ => 1,
            };
            if caps.xdev.is_some() {
                position += 1;
            }
            let suffix = if has_no_suffix(&caps) { "-dev" } else { "" };
            let low = normalize_msg(&format!("{}{}", sub(c, 1, c.len()), suffix))?;
            let high = manipulate(numbers(c, &caps.nums), (position - 1).max(1), true);
            return Ok(vec![
                single(Op::Ge, low),
                single(Op::Lt, format!("{high}-dev")),
            ]);
        }
    }

    // Caret range: `^\^VERSION($)`i
    if b.first() == Some(&b'^') {
        if let Some(caps) = match_version_pattern(b, 1, &mut |q| at_end(b, q)) {
            let [m1, m2, m3, _] = numbers(c, &caps.nums);
            let position = if m1 != "0" || m2.is_empty() {
                1
            } else if m2 != "0" || m3.is_empty() {
                2
            } else {
                3
            };
            let suffix = if has_no_suffix(&caps) { "-dev" } else { "" };
            let low = normalize_msg(&format!("{}{}", sub(c, 1, c.len()), suffix))?;
            let high = manipulate(numbers(c, &caps.nums), position, true);
            return Ok(vec![
                single(Op::Ge, low),
                single(Op::Lt, format!("{high}-dev")),
            ]);
        }
    }

    // X range: `^v?(\d++)(?:\.(\d++))?(?:\.(\d++))?(?:\.[xX*])++$` (case-sensitive `v`)
    if let Some(nums) = x_range(b) {
        let position = match nums {
            [_, _, Some(_), _] => 3,
            [_, Some(_), None, _] => 2,
            _ => 1,
        };
        let parts = numbers(c, &nums);
        let low = format!("{}-dev", manipulate(parts, position, false));
        let high = format!("{}-dev", manipulate(parts, position, true));
        if low == "0.0.0.0-dev" {
            return Ok(vec![single(Op::Lt, high)]);
        }
        return Ok(vec![single(Op::Ge, low), single(Op::Lt, high)]);
    }

    // Hyphen range: `^(?P<from>VERSION) +- +(?P<to>VERSION)($)`i
    if let Some(nodes) = hyphen_range(c)? {
        return Ok(nodes);
    }

    // Basic comparators: `^(<>|!=|>=?|<=?|==?)?\s*(.*)`
    let (op_text, op_len) = if b.starts_with(b"<>") {
        ("<>", 2)
    } else if b.starts_with(b"!=") {
        ("!=", 2)
    } else if b.starts_with(b">=") {
        (">=", 2)
    } else if b.starts_with(b">") {
        (">", 1)
    } else if b.starts_with(b"<=") {
        ("<=", 2)
    } else if b.starts_with(b"<") {
        ("<", 1)
    } else if b.starts_with(b"==") {
        ("==", 2)
    } else if b.starts_with(b"=") {
        ("=", 1)
    } else {
        ("", 0)
    };
    let mut p = op_len;
    while b.get(p).is_some_and(|ch| is_space(*ch)) {
        p += 1;
    }
    let rest = sub(c, p, line_end(b, p));
    let mut version = match normalize(rest) {
        Ok(v) => v,
        Err(e) => {
            let rb = rest.as_bytes();
            let recoverable = rest.ends_with("-dev")
                && rb
                    .iter()
                    .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, b'-' | b'.' | b'/'));
            let recovered = if recoverable {
                normalize(&format!("dev-{}", sub(rest, 0, rest.len() - 4))).ok()
            } else {
                None
            };
            match recovered {
                Some(v) => v,
                None => {
                    return Err(format!(
                        "Could not parse version constraint {c}: {}",
                        e.composer_message()
                    ))
                }
            }
        }
    };
    let op_text = if op_text.is_empty() { "=" } else { op_text };
    let op = Op::parse(op_text).unwrap_or(Op::Eq);
    let modifier = modifier.filter(|m| !m.is_empty());
    if op_text != "=="
        && op_text != "="
        && modifier.is_some()
        && parse_stability(&version) == Stability::Stable
    {
        version.push('-');
        version.push_str(modifier.unwrap_or_default());
    } else if (op_text == "<" || op_text == ">=")
        && !has_dash_modifier_suffix(&rest.to_ascii_lowercase())
        && !rest.starts_with("dev-")
    {
        version.push_str("-dev");
    }
    Ok(vec![single(op, version)])
}

/// `preg_match('/-' . MOD . '$/', $lowercased)`: case-sensitive, unanchored.
fn has_dash_modifier_suffix(lower: &str) -> bool {
    let b = lower.as_bytes();
    b.iter().enumerate().any(|(i, ch)| {
        *ch == b'-' && match_modifier(b, i + 1, false, &mut |q| at_end(b, q)).is_some()
    })
}

fn x_range(b: &[u8]) -> Option<[Option<(usize, usize)>; 4]> {
    let mut p = usize::from(b.first() == Some(&b'v'));
    let first_end = digits_end(b, p);
    if first_end == p {
        return None;
    }
    let mut nums: [Option<(usize, usize)>; 4] = [None; 4];
    nums[0] = Some((p, first_end));
    p = first_end;
    for slot in nums.iter_mut().skip(1).take(2) {
        if b.get(p) == Some(&b'.') && is_digit_at(b, p + 1) {
            let end = digits_end(b, p + 1);
            *slot = Some((p + 1, end));
            p = end;
        } else {
            break;
        }
    }
    let mut wild = 0;
    while b.get(p) == Some(&b'.') && matches!(b.get(p + 1), Some(b'x' | b'X' | b'*')) {
        p += 2;
        wild += 1;
    }
    (wild > 0 && at_end(b, p)).then_some(nums)
}

fn hyphen_range(c: &str) -> Result<Option<Vec<ConstraintNode>>, String> {
    let b = c.as_bytes();
    let mut to: Option<(VersionCaps, usize)> = None;
    let mut from_end = 0;
    let from = match_version_pattern(b, 0, &mut |q| {
        let mut r = q;
        while b.get(r) == Some(&b' ') {
            r += 1;
        }
        if r == q || b.get(r) != Some(&b'-') {
            return false;
        }
        r += 1;
        let dash_end = r;
        while b.get(r) == Some(&b' ') {
            r += 1;
        }
        if r == dash_end {
            return false;
        }
        match match_version_pattern(b, r, &mut |e| at_end(b, e)) {
            Some(caps) => {
                to = Some((caps, r));
                from_end = q;
                true
            }
            None => false,
        }
    });
    let (Some(from), Some((to, to_start))) = (from, to) else {
        return Ok(None);
    };
    let low_suffix = if has_no_suffix(&from) { "-dev" } else { "" };
    let low = normalize_msg(sub(c, 0, from_end))?;
    let lower = single(Op::Ge, format!("{low}{low_suffix}"));
    let to_text = sub(c, to_start, to.end);
    let exact_upper = (to.nums[1].is_some() && to.nums[2].is_some()) || !has_no_suffix(&to);
    let upper = if exact_upper {
        single(Op::Le, normalize_msg(to_text)?)
    } else {
        normalize_msg(to_text)?;
        let position = if to.nums[1].is_none() { 1 } else { 2 };
        let high = manipulate(numbers(c, &to.nums), position, true);
        single(Op::Lt, format!("{high}-dev"))
    };
    Ok(Some(vec![lower, upper]))
}
