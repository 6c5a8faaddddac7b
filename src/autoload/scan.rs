//! Finding the classes a PHP file declares, the way Composer's class-map generator does.
//!
//! Composer reads a file in three steps, and so does this module:
//!
//! 1. `php_strip_whitespace`: PHP's lexer drops comments (`//`, `#`, `/* */`, doc comments) and
//!    turns each run of whitespace into one space; strings, heredocs, nowdocs and inline HTML
//!    stay as they are. A comment between two words without whitespace around it joins them.
//! 2. A cleaner that walks the result: everything outside `<?` … `?>` is dropped, every quoted
//!    string and heredoc/nowdoc body is replaced by `null`, and comments left over are dropped.
//!    Its string rule is deliberately simple (only `\\` and an escaped delimiter are escapes).
//! 3. A case-insensitive search, left to right, for `class|interface|trait|enum` followed by
//!    whitespace and a name, or `namespace` followed by an optional name and `{` or `;`. The
//!    keyword must start at a word boundary and must not follow `$`, `:` or `>` — which is what
//!    keeps `Foo::class`, `$class` and `$obj->class` out. Anonymous classes (`new class {`,
//!    `new class extends X`) are skipped; `enum Foo: int` loses its backing type; XHP names
//!    (`class :foo:bar`) become `xhp` names.
//!
//! Bytes are handled as bytes (PCRE without the UTF-8 flag): only ASCII letters, digits and
//! `_` are word characters, and bytes 0x7f–0xff may appear in names.
//!
//! On x86_64 the two hot loops look at 16 or 32 bytes at a time: the fused cleaning finds the
//! next byte it cannot copy as is with SSE2, and the declaration search visits only the places
//! where a keyword could start, found with SSE2 or AVX2. Each has a byte-by-byte loop, used for
//! the last bytes and on other targets, that the tests compare it with.

/// Class-like names declared in `source`, in file order.
pub fn find_classes(source: &[u8]) -> Vec<String> {
    find_classes_with(source, &mut Scratch::default())
}

/// Working buffers for [`find_classes_with`], reused from file to file so that a scanning
/// thread does not allocate (and contend for the allocator) twice per file.
#[derive(Default)]
pub struct Scratch {
    stripped: Vec<u8>,
    cleaned: Vec<u8>,
}

/// [`find_classes`] with caller-owned working buffers.
///
/// Most files take the fused path: one walk over the source that writes what the cleaner would
/// have made of `php_strip_whitespace`'s output. When the file holds something on which the two
/// steps could disagree (see [`clean_fused`]), the three steps run as written above.
pub fn find_classes_with(source: &[u8], scratch: &mut Scratch) -> Vec<String> {
    if clean_fused(source, &mut scratch.cleaned) {
        declarations(&scratch.cleaned)
    } else {
        three_steps(source, scratch)
    }
}

/// The three steps as Composer runs them: the reference the fused path is checked against.
fn three_steps(source: &[u8], scratch: &mut Scratch) -> Vec<String> {
    strip_into(source, &mut scratch.stripped);
    if !has_type_keyword(&scratch.stripped) {
        return Vec::new();
    }
    clean_into(&scratch.stripped, &mut scratch.cleaned);
    declarations(&scratch.cleaned)
}

// ---------------------------------------------------------------------------------------------
// Steps 1 and 2 fused.

/// Writes into `out` what [`clean_into`] makes of what [`strip_into`] makes of `src` (up to
/// trailing bytes that cannot change the declarations found), without the intermediate text:
/// comments are skipped with `memchr`/`memmem`, quoted strings and heredocs become `null`,
/// whitespace runs one space.
///
/// The cleaner reads the stripped text with simpler rules than the lexer that made it; where
/// they could disagree this returns `false` and the caller runs the steps one by one:
///
/// - a `<?` in inline HTML that is not an open tag (the cleaner would start code there);
/// - a backtick string (the cleaner does not know them);
/// - a block comment removed between `?` and `>` (the cleaner would see a close tag);
/// - to be safe, a `<<<` that does not start a heredoc and a block comment removed right after
///   `<` (whitespace collapsing and joined bytes could spell a heredoc start; none was found
///   that the cleaner accepts, since the stripped text has no newline there).
///
/// Without those, the cleaner sees code, strings, heredocs and close tags exactly where the
/// lexer did, and comments are gone before it sees them. The keyword test that Composer runs on
/// the stripped text only saves work: a declaration found in the cleaned text always has its
/// keyword at a word boundary and followed by whitespace in the stripped text too.
fn clean_fused(src: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    out.reserve(src.len());
    let n = src.len();
    let mut i = 0;
    loop {
        // Inline HTML up to the next open tag; any other `<?` would open code for the cleaner.
        let tag_len = loop {
            let Some(p) = memchr::memchr(b'<', &src[i..]) else {
                return true;
            };
            let at = i + p;
            if src.get(at + 1) != Some(&b'?') {
                i = at + 1;
                continue;
            }
            if starts_with_at(src, at, b"<?=") {
                i = at;
                break 3;
            }
            if starts_with_ci(src, at + 2, b"php") && (at + 5 >= n || is_space(src[at + 5])) {
                i = at;
                break if at + 5 < n { 6 } else { 5 };
            }
            return false;
        };
        out.extend_from_slice(&src[i..i + tag_len]);
        i += tag_len;
        match fused_code(src, i, out) {
            Some(next) if next < n => i = next,
            Some(_) => return true,
            None => return false,
        }
    }
}

/// The code from `i` to the close tag (included) or the end, for [`clean_fused`]; returns the
/// index after the close tag and its newline, or `None` when the fused path cannot be trusted.
fn fused_code(src: &[u8], mut i: usize, out: &mut Vec<u8>) -> Option<usize> {
    let n = src.len();
    // Whether the stripped text ends with whitespace, and its last byte.
    let mut prev_space = true;
    let mut last = src[i - 1];
    while i < n {
        // A space that follows a byte copied as is stays as it is (a run of whitespace it
        // starts then has its first byte written already).
        if !(prev_space && src[i] == b' ') {
            let run = i;
            i = next_fused_special(src, i);
            if i > run {
                out.extend_from_slice(&src[run..i]);
                last = src[i - 1];
                prev_space = last == b' ';
                if i == n {
                    break;
                }
            }
        }
        let c = src[i];
        match c {
            b'?' if src.get(i + 1) == Some(&b'>') => {
                out.extend_from_slice(b"?>");
                i += 2;
                if starts_with_at(src, i, b"\r\n") {
                    i += 2;
                } else if i < n && (src[i] == b'\n' || src[i] == b'\r') {
                    i += 1;
                }
                return Some(i);
            }
            b'#' if src.get(i + 1) != Some(&b'[') => i = fused_line_comment_end(src, i + 1),
            b'/' if src.get(i + 1) == Some(&b'/') => i = fused_line_comment_end(src, i + 2),
            b'/' if src.get(i + 1) == Some(&b'*') => {
                i = match block_comment_close(src, i + 2) {
                    Some(star) => star + 2,
                    None => n,
                };
                if i < n && (last == b'<' || (last == b'?' && src[i] == b'>')) {
                    return None;
                }
            }
            c if is_space(c) => {
                i += 1;
                while i < n && is_space(src[i]) {
                    i += 1;
                }
                if !prev_space {
                    out.push(b' ');
                    prev_space = true;
                    last = b' ';
                }
            }
            b'\'' | b'"' => {
                i = fused_quoted_end(src, i);
                out.extend_from_slice(b"null");
                prev_space = false;
                last = c;
            }
            b'`' => return None,
            b'<' if starts_with_at(src, i, b"<<<") => {
                let (body, label) = heredoc_start(src, i)?;
                i = heredoc_end(src, body, &label);
                out.extend_from_slice(b"null");
                if i < n && !is_space(src[i]) && is_single_char_token(src[i]) {
                    out.push(src[i]);
                    i += 1;
                }
                out.push(b'\n');
                prev_space = true;
                last = b'\n';
            }
            _ => {
                out.push(c);
                i += 1;
                prev_space = false;
                last = c;
            }
        }
    }
    Some(n)
}

/// The first index from `i` (at least 1) of a byte that [`fused_code`] cannot copy as it is:
/// one of [`CODE_SPECIAL`], except a space right after a byte not in it.
fn next_fused_special(src: &[u8], i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86_64 baseline.
    let i = unsafe { x86::next_fused_special_sse2(src, i) };
    let mut i = i;
    while i < src.len() && !is_fused_special(src, i) {
        i += 1;
    }
    i
}

/// The byte test of [`next_fused_special`] at `i` (at least 1).
fn is_fused_special(src: &[u8], i: usize) -> bool {
    is_code_special(src[i]) && (src[i] != b' ' || is_code_special(src[i - 1]))
}

/// [`skip_line_comment`] with `memchr`: a comment ends before a newline or a close tag.
fn fused_line_comment_end(src: &[u8], mut i: usize) -> usize {
    loop {
        match memchr::memchr3(b'\n', b'\r', b'?', &src[i..]) {
            None => return src.len(),
            Some(p) => {
                let at = i + p;
                if src[at] != b'?' || src.get(at + 1) == Some(&b'>') {
                    return at;
                }
                i = at + 1;
            }
        }
    }
}

/// [`quoted_end`] with `memchr`: jumps from quote to backslash.
fn fused_quoted_end(src: &[u8], i: usize) -> usize {
    let quote = src[i];
    let mut j = i + 1;
    while let Some(p) = memchr::memchr2(quote, b'\\', &src[j.min(src.len())..]) {
        let at = j + p;
        if src[at] == quote {
            return at + 1;
        }
        j = at + 2;
    }
    src.len()
}

/// Index of the `*` of the first `*/` that starts at or after `from`.
fn block_comment_close(src: &[u8], from: usize) -> Option<usize> {
    let mut at = from + 1;
    while at < src.len() {
        let slash = at + memchr::memchr(b'/', &src[at..])?;
        if src[slash - 1] == b'*' {
            return Some(slash - 1);
        }
        at = slash + 1;
    }
    None
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_label_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_label_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn starts_with_at(s: &[u8], i: usize, pat: &[u8]) -> bool {
    s.len() >= i + pat.len() && &s[i..i + pat.len()] == pat
}

fn starts_with_ci(s: &[u8], i: usize, pat: &[u8]) -> bool {
    s.len() >= i + pat.len() && s[i..i + pat.len()].eq_ignore_ascii_case(pat)
}

// ---------------------------------------------------------------------------------------------
// Step 1: php_strip_whitespace.

/// An approximation of PHP's lexer good enough to tell comments, whitespace, strings and
/// heredocs apart (short open tags are off, as in Debian's php.ini).
fn strip_into(src: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.reserve(src.len());
    let mut i = 0;
    let n = src.len();
    while i < n {
        // Inline HTML up to the next open tag.
        let start = i;
        let mut open = None;
        while i < n {
            if src[i] != b'<' {
                i = src[i..]
                    .iter()
                    .position(|&b| b == b'<')
                    .map_or(n, |p| i + p);
                continue;
            }
            if starts_with_at(src, i, b"<?") {
                if starts_with_at(src, i, b"<?=") {
                    open = Some(3);
                    break;
                }
                if starts_with_ci(src, i + 2, b"php") && (i + 5 >= n || is_space(src[i + 5])) {
                    open = Some(if i + 5 < n { 6 } else { 5 });
                    break;
                }
            }
            i += 1;
        }
        out.extend_from_slice(&src[start..i]);
        let Some(tag_len) = open else { break };
        out.extend_from_slice(&src[i..i + tag_len]);
        i += tag_len;
        i = strip_code(src, i, out);
    }
}

/// Strips PHP code from `i` to the close tag (included) or the end; returns the next index.
fn strip_code(src: &[u8], mut i: usize, out: &mut Vec<u8>) -> usize {
    let n = src.len();
    let mut prev_space = true;
    while i < n {
        let c = src[i];
        match c {
            b'?' if starts_with_at(src, i, b"?>") => {
                out.extend_from_slice(b"?>");
                i += 2;
                if starts_with_at(src, i, b"\r\n") {
                    out.extend_from_slice(b"\r\n");
                    i += 2;
                } else if i < n && (src[i] == b'\n' || src[i] == b'\r') {
                    out.push(src[i]);
                    i += 1;
                }
                return i;
            }
            b'#' if !starts_with_at(src, i, b"#[") => {
                i = skip_line_comment(src, i + 1);
            }
            b'/' if starts_with_at(src, i, b"//") => {
                i = skip_line_comment(src, i + 2);
            }
            b'/' if starts_with_at(src, i, b"/*") => {
                i = match find(src, i + 2, b"*/") {
                    Some(end) => end + 2,
                    None => n,
                };
            }
            c if is_space(c) => {
                while i < n && is_space(src[i]) {
                    i += 1;
                }
                if !prev_space {
                    out.push(b' ');
                    prev_space = true;
                }
            }
            b'\'' | b'"' | b'`' => {
                let end = quoted_end(src, i);
                out.extend_from_slice(&src[i..end]);
                i = end;
                prev_space = false;
            }
            b'<' if starts_with_at(src, i, b"<<<") => match heredoc_start(src, i) {
                Some((body, label)) => {
                    let end = heredoc_end(src, body, &label);
                    out.extend_from_slice(&src[i..end]);
                    i = end;
                    // PHP writes the token after the closing label (if not whitespace), then
                    // a newline.
                    if i < n && !is_space(src[i]) && is_single_char_token(src[i]) {
                        out.push(src[i]);
                        i += 1;
                    }
                    out.push(b'\n');
                    prev_space = true;
                }
                None => {
                    out.push(c);
                    i += 1;
                    prev_space = false;
                }
            },
            _ => {
                // Copy the run of bytes that need no decision in one go.
                let run = src[i + 1..]
                    .iter()
                    .position(|&b| is_code_special(b))
                    .map_or(n, |p| i + 1 + p);
                out.extend_from_slice(&src[i..run]);
                i = run;
                prev_space = false;
            }
        }
    }
    i
}

/// A byte set as a lookup table: one load per byte in the hot loops.
const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
}

/// Whitespace and the bytes that may start a comment, a string, a heredoc or a close tag.
static CODE_SPECIAL: [bool; 256] = byte_set(b" \t\n\r\x0b\x0c?#/'\"`<");
/// The bytes the cleaner stops at.
static CLEAN_SPECIAL: [bool; 256] = byte_set(b"?\"'</");

fn is_code_special(b: u8) -> bool {
    CODE_SPECIAL[usize::from(b)]
}

fn is_single_char_token(b: u8) -> bool {
    matches!(b, b';' | b',' | b')' | b']' | b'.')
}

/// A `//` or `#` comment ends before a newline or a close tag.
fn skip_line_comment(src: &[u8], mut i: usize) -> usize {
    while i < src.len() {
        match src[i] {
            b'\n' | b'\r' => return i,
            b'?' if starts_with_at(src, i, b"?>") => return i,
            _ => i += 1,
        }
    }
    i
}

fn find(src: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    if from >= src.len() {
        return None;
    }
    src[from..]
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|p| p + from)
}

/// End (exclusive) of the quoted string starting at `i`.
fn quoted_end(src: &[u8], i: usize) -> usize {
    let quote = src[i];
    let mut j = i + 1;
    while j < src.len() {
        match src[j] {
            b'\\' => j += 2,
            c if c == quote => return j + 1,
            _ => j += 1,
        }
    }
    src.len()
}

/// `<<<` [ \t]* (label | "label" | 'label') newline: returns the body start and the label.
fn heredoc_start(src: &[u8], i: usize) -> Option<(usize, Vec<u8>)> {
    let mut j = i + 3;
    while j < src.len() && (src[j] == b' ' || src[j] == b'\t') {
        j += 1;
    }
    let quote = match src.get(j) {
        Some(&q @ (b'\'' | b'"')) => {
            j += 1;
            Some(q)
        }
        _ => None,
    };
    let label_start = j;
    if !src.get(j).is_some_and(|&b| is_label_start(b)) {
        return None;
    }
    while j < src.len() && is_label_char(src[j]) {
        j += 1;
    }
    let label = src[label_start..j].to_vec();
    if let Some(q) = quote {
        if src.get(j) != Some(&q) {
            return None;
        }
        j += 1;
    }
    if starts_with_at(src, j, b"\r\n") {
        Some((j + 2, label))
    } else if matches!(src.get(j), Some(b'\n' | b'\r')) {
        Some((j + 1, label))
    } else {
        None
    }
}

/// End of the closing label of a heredoc whose body starts at `body` (PHP 7.3 flexible
/// syntax: the label may be indented and be followed by any non-label character).
fn heredoc_end(src: &[u8], body: usize, label: &[u8]) -> usize {
    let mut line = body;
    while line < src.len() {
        let mut j = line;
        while j < src.len() && (src[j] == b' ' || src[j] == b'\t') {
            j += 1;
        }
        if starts_with_at(src, j, label)
            && !src.get(j + label.len()).is_some_and(|&b| is_label_char(b))
        {
            return j + label.len();
        }
        while j < src.len() && src[j] != b'\n' && src[j] != b'\r' {
            j += 1;
        }
        while j < src.len() && (src[j] == b'\n' || src[j] == b'\r') {
            j += 1;
        }
        line = j;
    }
    src.len()
}

/// Composer's quick test: `\b(?:class|interface|trait|enum)\s`, case-insensitive.
fn has_type_keyword(s: &[u8]) -> bool {
    (0..s.len()).any(|i| {
        // Only `c`, `i`, `t`, `e` (either case) can start a keyword: test that first.
        matches!(s[i] | 0x20, b'c' | b'i' | b't' | b'e')
            && (i == 0 || !is_word(s[i - 1]))
            && [&b"class"[..], b"interface", b"trait", b"enum"]
                .iter()
                .any(|k| {
                    starts_with_ci(s, i, k) && s.get(i + k.len()).is_some_and(|&b| is_space(b))
                })
    })
}

// ---------------------------------------------------------------------------------------------
// Step 2: the cleaner.

fn clean_into(src: &[u8], out: &mut Vec<u8>) {
    let n = src.len();
    out.clear();
    out.reserve(n);
    let mut i = 0;
    while i < n {
        // Skip to the next `<?`.
        while i < n {
            if src[i] == b'<' && i + 1 < n && src[i + 1] == b'?' {
                i += 2;
                break;
            }
            i += 1;
        }
        out.extend_from_slice(b"<?");
        while i < n {
            let c = src[i];
            if c == b'?' && i + 1 < n && src[i + 1] == b'>' {
                out.extend_from_slice(b"?>");
                i += 2;
                break;
            }
            if c == b'"' || c == b'\'' {
                i = clean_string_end(src, i, c);
                out.extend_from_slice(b"null");
                continue;
            }
            if c == b'<' && i + 1 < n && src[i + 1] == b'<' {
                if let Some((body, label)) = clean_heredoc_start(src, i) {
                    i = clean_heredoc_end(src, body, &label);
                    out.extend_from_slice(b"null");
                    continue;
                }
            }
            if c == b'/' && i + 1 < n {
                if src[i + 1] == b'/' {
                    while i < n && src[i] != b'\r' && src[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                if src[i + 1] == b'*' {
                    i = match find(src, i + 2, b"*/") {
                        Some(end) => end + 2,
                        None => n,
                    };
                    continue;
                }
            }
            let run = src[i + 1..]
                .iter()
                .position(|&b| CLEAN_SPECIAL[usize::from(b)])
                .map_or(n, |p| i + 1 + p);
            out.extend_from_slice(&src[i..run]);
            i = run;
        }
    }
}

fn clean_string_end(src: &[u8], i: usize, quote: u8) -> usize {
    let n = src.len();
    let mut j = i + 1;
    while j < n {
        if src[j] == b'\\' && j + 1 < n && (src[j + 1] == b'\\' || src[j + 1] == quote) {
            j += 2;
            continue;
        }
        if src[j] == quote {
            return j + 1;
        }
        j += 1;
    }
    n
}

/// `<<<[ \t]*(['"]?)(label)\1(\r\n|\n|\r)` with labels `[a-zA-Z_\x80-\xff][a-zA-Z0-9_\x80-\xff]*`.
fn clean_heredoc_start(src: &[u8], i: usize) -> Option<(usize, Vec<u8>)> {
    if !starts_with_at(src, i, b"<<<") {
        return None;
    }
    heredoc_start(src, i)
}

fn clean_heredoc_end(src: &[u8], body: usize, label: &[u8]) -> usize {
    let n = src.len();
    let mut i = body;
    while i < n {
        match src[i] {
            b' ' | b'\t' => {
                i += 1;
                continue;
            }
            _ if starts_with_at(src, i, label)
                && !src.get(i + label.len()).is_some_and(|&b| is_label_char(b)) =>
            {
                return i + label.len();
            }
            _ => {}
        }
        while i < n && src[i] != b'\r' && src[i] != b'\n' {
            i += 1;
        }
        while i < n && (src[i] == b'\r' || src[i] == b'\n') {
            i += 1;
        }
    }
    n
}

// ---------------------------------------------------------------------------------------------
// Step 3: declarations.

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x7f || b == b':'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x7f || b == b':' || b == b'-'
}

fn is_ns_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x7f
}

fn is_ns_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x7f
}

/// The bytes that keep a keyword right after them from starting a declaration: word bytes (the
/// keyword would not start at a word boundary) and `$`, `:`, `>` (a variable, a constant or a
/// property).
static BAD_PREV: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b':' | b'>');
        b += 1;
    }
    table
};

/// Whether a declaration keyword could start at `i`: its first two bytes are those of `class`,
/// `interface`, `trait`, `enum` or `namespace` (either case) and the byte before it is not in
/// [`BAD_PREV`]. Every declaration starts at such a place; most places are not declarations.
fn is_candidate(s: &[u8], i: usize) -> bool {
    let Some(&second) = s.get(i + 1) else {
        return false;
    };
    matches!(
        [s[i] | 0x20, second | 0x20],
        [b'c', b'l'] | [b'i' | b'e', b'n'] | [b't', b'r'] | [b'n', b'a']
    ) && (i == 0 || !BAD_PREV[usize::from(s[i - 1])])
}

fn declarations(s: &[u8]) -> Vec<String> {
    let mut classes = Vec::new();
    let mut namespace = String::new();
    for_each_candidate(s, |i| {
        if let Some((end, kind, name)) = type_declaration(s, i) {
            if let Some(class) = class_name(kind, name) {
                let class = if namespace.is_empty() {
                    class
                } else {
                    format!("{namespace}{class}")
                };
                classes.push(match class.strip_prefix('\\') {
                    Some(_) => class.trim_start_matches('\\').to_string(),
                    None => class,
                });
            }
            // The name ends before a byte that is not a word byte.
            return end;
        }
        if let Some((end, ns)) = namespace_declaration(s, i) {
            namespace = ns;
            return end;
        }
        i + 1
    });
    classes
}

/// Calls `visit` on each place [`is_candidate`] accepts, in order, skipping those below the
/// index the previous call returned (the end of a declaration found there).
fn for_each_candidate(s: &[u8], mut visit: impl FnMut(usize) -> usize) {
    let n = s.len();
    // Candidates below `i` have been visited or skipped.
    #[cfg(target_arch = "x86_64")]
    let mut i = if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2.
        unsafe { x86::candidates_avx2(s, &mut visit) }
    } else {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { x86::candidates_sse2(s, &mut visit) }
    };
    #[cfg(not(target_arch = "x86_64"))]
    let mut i = 0;
    while i < n {
        i = if is_candidate(s, i) { visit(i) } else { i + 1 };
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::is_candidate;
    use std::arch::x86_64::*;

    /// The block loop of [`super::for_each_candidate`] for one vector width: `$mask(p)` is the
    /// bit mask of the candidates among the `$width` bytes at `p`, and reads the bytes from
    /// `p - 1` to `p + $width` included. Returns the index from which the scalar loop goes on.
    macro_rules! blocks {
        ($s:ident, $visit:ident, $width:expr, $mask:expr) => {{
            let s: &[u8] = $s;
            let n = s.len();
            let mut i = 0;
            if n > $width + 1 {
                if is_candidate(s, 0) {
                    i = $visit(0);
                }
                // Candidates below `resume` are skipped.
                let mut resume = i;
                i = i.max(1);
                while i + $width < n {
                    let mut mask = $mask(s.as_ptr().add(i));
                    while mask != 0 {
                        let at = i + mask.trailing_zeros() as usize;
                        if at >= resume {
                            resume = $visit(at);
                        }
                        mask &= mask - 1;
                    }
                    i = (i + $width).max(resume);
                }
            }
            i
        }};
    }

    /// `x <= max` for unsigned bytes.
    macro_rules! le {
        ($min:ident, $eq:ident, $x:expr, $max:expr) => {{
            let x = $x;
            $eq($min(x, $max), x)
        }};
    }

    /// The candidates among the 16 bytes at `p`, reading `p - 1 ..= p + 16`.
    ///
    /// SAFETY: the caller makes sure those bytes are in bounds.
    #[inline]
    #[target_feature(enable = "sse2")]
    unsafe fn mask_sse2(p: *const u8) -> u32 {
        let set = |b: u8| _mm_set1_epi8(b as i8);
        let eq = |x, b: u8| _mm_cmpeq_epi8(x, set(b));
        let prev = _mm_loadu_si128(p.sub(1).cast());
        let cur = _mm_or_si128(_mm_loadu_si128(p.cast()), set(0x20));
        let next = _mm_or_si128(_mm_loadu_si128(p.add(1).cast()), set(0x20));
        let pair = _mm_or_si128(
            _mm_or_si128(
                _mm_and_si128(eq(cur, b'c'), eq(next, b'l')),
                _mm_and_si128(_mm_or_si128(eq(cur, b'i'), eq(cur, b'e')), eq(next, b'n')),
            ),
            _mm_or_si128(
                _mm_and_si128(eq(cur, b't'), eq(next, b'r')),
                _mm_and_si128(eq(cur, b'n'), eq(next, b'a')),
            ),
        );
        let letter = le!(
            _mm_min_epu8,
            _mm_cmpeq_epi8,
            _mm_sub_epi8(_mm_or_si128(prev, set(0x20)), set(b'a')),
            set(25)
        );
        let digit = le!(
            _mm_min_epu8,
            _mm_cmpeq_epi8,
            _mm_sub_epi8(prev, set(b'0')),
            set(9)
        );
        let bad = _mm_or_si128(
            _mm_or_si128(letter, digit),
            _mm_or_si128(
                _mm_or_si128(eq(prev, b'_'), eq(prev, b'$')),
                _mm_or_si128(eq(prev, b':'), eq(prev, b'>')),
            ),
        );
        _mm_movemask_epi8(_mm_andnot_si128(bad, pair)) as u32
    }

    /// [`mask_sse2`] for the 32 bytes at `p`, reading `p - 1 ..= p + 32`.
    ///
    /// SAFETY: the caller makes sure those bytes are in bounds and the CPU supports AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn mask_avx2(p: *const u8) -> u32 {
        let set = |b: u8| _mm256_set1_epi8(b as i8);
        let eq = |x, b: u8| _mm256_cmpeq_epi8(x, set(b));
        let prev = _mm256_loadu_si256(p.sub(1).cast());
        let cur = _mm256_or_si256(_mm256_loadu_si256(p.cast()), set(0x20));
        let next = _mm256_or_si256(_mm256_loadu_si256(p.add(1).cast()), set(0x20));
        let pair = _mm256_or_si256(
            _mm256_or_si256(
                _mm256_and_si256(eq(cur, b'c'), eq(next, b'l')),
                _mm256_and_si256(
                    _mm256_or_si256(eq(cur, b'i'), eq(cur, b'e')),
                    eq(next, b'n'),
                ),
            ),
            _mm256_or_si256(
                _mm256_and_si256(eq(cur, b't'), eq(next, b'r')),
                _mm256_and_si256(eq(cur, b'n'), eq(next, b'a')),
            ),
        );
        let letter = le!(
            _mm256_min_epu8,
            _mm256_cmpeq_epi8,
            _mm256_sub_epi8(_mm256_or_si256(prev, set(0x20)), set(b'a')),
            set(25)
        );
        let digit = le!(
            _mm256_min_epu8,
            _mm256_cmpeq_epi8,
            _mm256_sub_epi8(prev, set(b'0')),
            set(9)
        );
        let bad = _mm256_or_si256(
            _mm256_or_si256(letter, digit),
            _mm256_or_si256(
                _mm256_or_si256(eq(prev, b'_'), eq(prev, b'$')),
                _mm256_or_si256(eq(prev, b':'), eq(prev, b'>')),
            ),
        );
        _mm256_movemask_epi8(_mm256_andnot_si256(bad, pair)) as u32
    }

    /// [`super::next_fused_special`] 16 bytes at a time while 16 bytes are left; returns where
    /// the scalar loop goes on (a special byte, or fewer than 16 bytes before the end).
    ///
    /// SAFETY: SSE2 is part of the x86_64 baseline; blocks are read only when in bounds, and
    /// `i >= 1` is required (the byte before `i` is read).
    #[target_feature(enable = "sse2")]
    pub(super) unsafe fn next_fused_special_sse2(src: &[u8], mut i: usize) -> usize {
        use super::is_code_special;
        let set = |b: u8| _mm_set1_epi8(b as i8);
        let eq = |x, b: u8| _mm_cmpeq_epi8(x, set(b));
        // Whether the byte before the block is special.
        let mut carry = u32::from(is_code_special(src[i - 1]));
        while i + 16 <= src.len() {
            // SAFETY: `i + 16 <= src.len()`.
            let x = unsafe { _mm_loadu_si128(src.as_ptr().add(i).cast()) };
            let controls = le!(
                _mm_min_epu8,
                _mm_cmpeq_epi8,
                _mm_sub_epi8(x, set(b'\t')),
                set(b'\r' - b'\t')
            );
            let space = eq(x, b' ');
            let others = _mm_or_si128(
                _mm_or_si128(
                    _mm_or_si128(eq(x, b'?'), eq(x, b'#')),
                    _mm_or_si128(eq(x, b'/'), eq(x, b'\'')),
                ),
                _mm_or_si128(
                    _mm_or_si128(eq(x, b'"'), eq(x, b'`')),
                    _mm_or_si128(eq(x, b'<'), controls),
                ),
            );
            let space = _mm_movemask_epi8(space) as u32;
            let special = _mm_movemask_epi8(others) as u32 | space;
            let after_special = special << 1 | carry;
            let stop = special & (!space | after_special);
            if stop != 0 {
                return i + stop.trailing_zeros() as usize;
            }
            carry = special >> 15;
            i += 16;
        }
        i
    }

    /// SAFETY: SSE2 is part of the x86_64 baseline; [`blocks!`] reads blocks at `i` only when
    /// `1 <= i` and `i + 16 < s.len()`.
    #[target_feature(enable = "sse2")]
    pub(super) unsafe fn candidates_sse2(
        s: &[u8],
        visit: &mut impl FnMut(usize) -> usize,
    ) -> usize {
        unsafe { blocks!(s, visit, 16, |p| mask_sse2(p)) }
    }

    /// SAFETY: the caller makes sure the CPU supports AVX2; [`blocks!`] reads blocks at `i` only
    /// when `1 <= i` and `i + 32 < s.len()`.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn candidates_avx2(
        s: &[u8],
        visit: &mut impl FnMut(usize) -> usize,
    ) -> usize {
        unsafe { blocks!(s, visit, 32, |p| mask_avx2(p)) }
    }
}

/// `(class|interface|trait|enum) \s+ name` at `i`.
fn type_declaration(s: &[u8], i: usize) -> Option<(usize, &[u8], &[u8])> {
    let kind = [&b"class"[..], b"interface", b"trait", b"enum"]
        .into_iter()
        .find(|k| starts_with_ci(s, i, k))?;
    let mut j = i + kind.len();
    let ws = j;
    while j < s.len() && is_space(s[j]) {
        j += 1;
    }
    if j == ws || !s.get(j).is_some_and(|&b| is_name_start(b)) {
        return None;
    }
    let name_start = j;
    while j < s.len() && is_name_char(s[j]) {
        j += 1;
    }
    Some((j, &s[i..i + kind.len()], &s[name_start..j]))
}

fn class_name(kind: &[u8], name: &[u8]) -> Option<String> {
    if name == b"extends" || name == b"implements" {
        return None;
    }
    let name = String::from_utf8_lossy(name).into_owned();
    if let Some(rest) = name.strip_prefix(':') {
        return Some(format!("xhp{}", rest.replace('-', "_").replace(':', "__")));
    }
    if kind.eq_ignore_ascii_case(b"enum") {
        if let Some(colon) = name.rfind(':') {
            return Some(name[..colon].to_string());
        }
    }
    Some(name)
}

/// `namespace (\s+ name (\s* \\ \s* name)*)? \s* [{;]` at `i`; returns the namespace with a
/// trailing `\`.
fn namespace_declaration(s: &[u8], i: usize) -> Option<(usize, String)> {
    if !starts_with_ci(s, i, b"namespace") {
        return None;
    }
    let after = i + "namespace".len();
    let finish = |mut j: usize, name: &[u8]| -> Option<(usize, String)> {
        while j < s.len() && is_space(s[j]) {
            j += 1;
        }
        if matches!(s.get(j), Some(b'{' | b';')) {
            let name: Vec<u8> = name
                .iter()
                .copied()
                .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                .collect();
            Some((j + 1, format!("{}\\", String::from_utf8_lossy(&name))))
        } else {
            None
        }
    };
    if let Some(end) = namespace_name(s, after) {
        if let Some(found) = finish(end, &s[after..end]) {
            return Some(found);
        }
    }
    finish(after, b"")
}

/// End of `\s+ name (\s* \\ \s* name)*` starting at `j`.
fn namespace_name(s: &[u8], mut j: usize) -> Option<usize> {
    let ws = j;
    while j < s.len() && is_space(s[j]) {
        j += 1;
    }
    if j == ws || !s.get(j).is_some_and(|&b| is_ns_start(b)) {
        return None;
    }
    while j < s.len() && is_ns_char(s[j]) {
        j += 1;
    }
    loop {
        let mut k = j;
        while k < s.len() && is_space(s[k]) {
            k += 1;
        }
        if s.get(k) != Some(&b'\\') {
            return Some(j);
        }
        k += 1;
        while k < s.len() && is_space(s[k]) {
            k += 1;
        }
        if !s.get(k).is_some_and(|&b| is_ns_start(b)) {
            return Some(j);
        }
        while k < s.len() && is_ns_char(s[k]) {
            k += 1;
        }
        j = k;
    }
}

/// The tests' seeded generator, shared with the integration tests.
#[cfg(test)]
#[path = "../../tests/support/rng.rs"]
mod rng;

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(src: &str) -> Vec<String> {
        find_classes(src.as_bytes())
    }

    #[test]
    fn namespaces_and_kinds() {
        let src = "<?php\nnamespace Foo\\Bar;\n\nclass A {}\ninterface B {}\ntrait C {}\nenum D: string { case X = 'x'; }\nenum E:int {}\nfinal class F extends A implements B {}\nabstract class G {}\n";
        assert_eq!(
            classes(src),
            [
                "Foo\\Bar\\A",
                "Foo\\Bar\\B",
                "Foo\\Bar\\C",
                "Foo\\Bar\\D",
                "Foo\\Bar\\E",
                "Foo\\Bar\\F",
                "Foo\\Bar\\G"
            ]
        );
    }

    #[test]
    fn keyword_uses_that_are_not_declarations() {
        let src = "<?php\nnamespace App;\n$x = Foo::class;\n$class = 1;\n$o->class = 2;\n$o?->class;\n$a = new class { };\n$b = new class extends Foo {};\n$c = new class(1) implements I {};\nfunction classic() {}\nclass Real {}\n";
        assert_eq!(classes(src), ["App\\Real"]);
    }

    #[test]
    fn comments_strings_and_heredocs_hide_declarations() {
        let src = "<?php\n// class NotA {}\n# class NotB {}\n/* class NotC {} */\n/** class NotD {} */\n$s = 'class NotE {}';\n$t = \"class NotF {} \\\" class NotG {}\";\n$h = <<<EOT\nclass NotH {}\n  EOT;\n$n = <<<'EOT'\nclass NotI {}\nEOT;\n#[Attr]\nclass Yes {}\n";
        assert_eq!(classes(src), ["Yes"]);
    }

    #[test]
    fn inline_html_and_multiple_namespaces() {
        let src = "<html>class NotHtml {}</html><?php namespace A { class One {} } namespace B\\C { class Two {} } namespace { class Three {} } ?>\nclass NotAfter {}";
        assert_eq!(classes(src), ["A\\One", "B\\C\\Two", "Three"]);
    }

    #[test]
    fn comment_joining_words_hides_the_class() {
        // php_strip_whitespace removes the comment without inserting a space.
        assert_eq!(classes("<?php class/*x*/Foo {}"), Vec::<String>::new());
        assert_eq!(classes("<?php class /*x*/ Foo {}"), ["Foo"]);
    }

    #[test]
    fn uppercase_keywords_and_xhp() {
        assert_eq!(classes("<?php CLASS Foo {}"), ["Foo"]);
        assert_eq!(classes("<?php class :foo:bar-baz {}"), ["xhpfoo__bar_baz"]);
    }

    /// The fused path against the three steps on one input; returns whether the fused path
    /// took it (rather than handing it to the three steps).
    fn same_as_three_steps(src: &[u8], scratch: &mut Scratch) -> bool {
        let expected = reference(src);
        assert_eq!(three_steps(src, scratch), expected);
        let fused = clean_fused(src, &mut scratch.cleaned);
        if fused {
            // The fused text is the cleaned text up to what the cleaner appends at the end
            // (`<?` when it looks for an open tag after the last close tag; no newline after a
            // heredoc that runs to the end).
            let mut stripped = Vec::new();
            strip_into(src, &mut stripped);
            let mut cleaned = Vec::new();
            clean_into(&stripped, &mut cleaned);
            let fused = &scratch.cleaned[..];
            assert!(
                cleaned == fused
                    || cleaned == [fused, b"<?"].concat()
                    || fused.strip_suffix(b"\n") == Some(&cleaned[..]),
                "fused text differs on {:?}:\n{:?}\n{:?}",
                String::from_utf8_lossy(src),
                String::from_utf8_lossy(&cleaned),
                String::from_utf8_lossy(fused),
            );
        }
        let found = if fused {
            declarations(&scratch.cleaned)
        } else {
            three_steps(src, scratch)
        };
        assert_eq!(
            found,
            expected,
            "fused scan differs on {:?}",
            String::from_utf8_lossy(src)
        );
        assert_eq!(find_classes_with(src, scratch), expected);
        fused
    }

    /// The three steps with the declaration search as first written: every byte tested for a
    /// word boundary.
    fn reference(src: &[u8]) -> Vec<String> {
        let mut stripped = Vec::new();
        strip_into(src, &mut stripped);
        if !has_type_keyword(&stripped) {
            return Vec::new();
        }
        let mut s = Vec::new();
        clean_into(&stripped, &mut s);
        let mut classes = Vec::new();
        let mut namespace = String::new();
        let mut i = 0;
        while i < s.len() {
            let boundary = (i == 0 || !is_word(s[i - 1]))
                && is_word(s[i])
                && !(i > 0 && matches!(s[i - 1], b'$' | b':' | b'>'));
            if boundary {
                if let Some((end, kind, name)) = type_declaration(&s, i) {
                    if let Some(class) = class_name(kind, name) {
                        let full = format!("{namespace}{class}");
                        classes.push(full.trim_start_matches('\\').to_string());
                    }
                    i = end;
                    continue;
                }
                if let Some((end, ns)) = namespace_declaration(&s, i) {
                    namespace = ns;
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        classes
    }

    /// Hand-written inputs for each rule of the three steps and of the fused path.
    const TRICKY: &[&str] = &[
        "<?php class/**/Foo {}",
        "<?php class /**/Foo {}",
        "<?php cl/**/ass Foo {}",
        "<?php class/*x*/ Foo {}",
        "<?php class#c\nFoo {}",
        "<?php class//c\nFoo {}",
        "<?php $x = Foo::class; class Bar {}",
        "<?php $class = 1; $o->class = 2; $o?->class; class Baz {}",
        "<?php $a = new class { }; $b = new class extends X {}; class Real {}",
        "<?php enum Foo: int { case A = 1; } enum Bar : string {} enum Baz:int {}",
        "<?php $h = <<<EOT\nclass NotA {}\nEOT;\nclass A {}",
        "<?php $h = <<<'EOT'\nclass NotA {}\n  EOT;\nclass A {}",
        "<?php $h = <<<\"EOT\"\nclass NotA {}\n\tEOT\nclass A {}",
        "<?php $h = <<< EOT\nx\nEOTX\nEOT)class B {}",
        "<?php $h = <<<EOT\nunterminated class C {}",
        "<?php $h = <<</**/EOT\nclass D {}\nEOT;\n",
        "<?php $h = <</**/<EOT\nclass D {}\nEOT;\n",
        "<?php $h = <<< \nEOT\nclass D {}\nEOT;\n",
        "<?php // ?> class NotE {}\n<?php class E {}",
        "<?php # ?>\nclass NotF {} <?php class F {}",
        "<html>class NotG {}</html><?php class G {} ?>\nclass NotH {}<?php class H {}",
        "<?xml version=\"1.0\"?><?php class I {}",
        "<?= $x ?><?php class J {}",
        "<?php $s = 'class K {} \\' class K2 {}'; $t = \"\\\" class K3 {}\"; class K4 {}",
        "<?php $s = `class L {}`; class M {}",
        "<?php #[Attribute]\nclass N {}",
        "<?php #[\nclass O {}",
        "<?php /* unterminated class P {}",
        "<?php $s = 'unterminated class Q {}",
        "<?php namespace A\\B; class R {} namespace C { class S {} } namespace { class T {} }",
        "<?php namespace A \\ B ; class U {}",
        "<?php namespace/**/A; class V {}",
        "<?php namespace A/**/\\B; class W {}",
        "<?php class \u{e9}t\u{e9} {} \u{e9}class X {} class \u{7f}Y {}",
        "<?php class :foo:bar-baz {} class Y {}",
        "<?php ?/**/> class Z {}",
        "<?php ? /**/> class Z2 {}",
        "<?php class Foo extends Bar {} class implements {}",
        "<?php 'a'class Z3 {} \"b\" class Z4 {}",
        "<?php class 'x' {}",
        "<?php class <<<EOT\nbody\nEOT;\n",
        "<?php\r\nclass Crlf\r\n{\r\n}\r\n",
        "<?PHP class Upper {}",
        "<?php",
        "<?phpclass NotPhp {}",
        "<?php\tinterface I1 {} trait T1 {} ENUM E1 {}",
        "",
        "?>",
        "<?",
        "<?php ?>",
        "<?php $a = $b ?: $c; $d = $e ? f : g; class Ternary {}",
        "<?php $a = 1 << 2; $b = $a <<= 1; class Shift {}",
        "<?php if ($a < $b) { class Cond {} }",
        "<?php $x = \"{$a['class B']}\"; class Interp {}",
    ];

    #[test]
    fn fused_path_matches_three_steps_on_tricky_inputs() {
        let mut scratch = Scratch::default();
        let fused = TRICKY
            .iter()
            .filter(|src| same_as_three_steps(src.as_bytes(), &mut scratch))
            .count();
        assert!(fused > TRICKY.len() / 2, "{fused} of {}", TRICKY.len());
    }

    use super::rng;

    /// Pieces the generator strings together.
    const PIECES: &[&str] = &[
        "<?php",
        "<?php\n",
        "<?php ",
        "<?=",
        "<?",
        "?>",
        "?>\n",
        "<html>",
        "class",
        "CLASS",
        "interface",
        "trait",
        "enum",
        "Enum",
        "namespace",
        " ",
        "  ",
        "\n",
        "\t",
        "\r\n",
        "\r",
        "Foo",
        "Bar\\Baz",
        "\\",
        "{",
        "}",
        ";",
        ":",
        "::",
        "$",
        "->",
        "?->",
        "new",
        "extends",
        "implements",
        "/*",
        "*/",
        "/**",
        "//",
        "#",
        "#[",
        "]",
        "'",
        "\"",
        "`",
        "\\'",
        "\\\"",
        "\\\\",
        "<<<",
        "<<",
        "<",
        ">",
        "?",
        "EOT",
        "'EOT'",
        "\"EOT\"",
        "  EOT",
        "int",
        "(",
        ")",
        ",",
        ".",
        "\u{e9}",
        ":foo:bar-baz",
        "-",
        "_",
        "null",
        "x1",
        "=",
    ];

    fn generated(rng: &mut rng::Rng) -> Vec<u8> {
        let mut src = Vec::new();
        if rng.chance(80) {
            src.extend_from_slice(b"<?php\n");
        }
        for _ in 0..rng.below(60) + 1 {
            if rng.chance(3) {
                // Any byte, including non-ASCII and control bytes.
                src.push(rng.below(256) as u8);
            } else {
                src.extend_from_slice(rng.pick_str(PIECES).as_bytes());
            }
        }
        src
    }

    /// A copy of `src` with a few bytes inserted, deleted or replaced.
    fn mutated(rng: &mut rng::Rng, src: &[u8]) -> Vec<u8> {
        let mut out = src.to_vec();
        for _ in 0..rng.below(4) + 1 {
            let at = rng.below(out.len() + 1);
            match rng.below(3) {
                0 => {
                    let piece = rng.pick_str(PIECES).as_bytes();
                    out.splice(at..at, piece.iter().copied());
                }
                1 if at < out.len() => {
                    let end = (at + rng.below(8) + 1).min(out.len());
                    out.drain(at..end);
                }
                _ if at < out.len() => out[at] = rng.below(256) as u8,
                _ => {}
            }
        }
        out
    }

    #[test]
    fn fused_path_matches_three_steps_on_generated_inputs() {
        let mut rng = rng::Rng(0x05ee_dc1a_55e5);
        let mut scratch = Scratch::default();
        let mut fused = 0;
        let cases = 20_000;
        for _ in 0..cases {
            let src = generated(&mut rng);
            fused += usize::from(same_as_three_steps(&src, &mut scratch));
        }
        for src in TRICKY {
            for _ in 0..50 {
                let src = mutated(&mut rng, src.as_bytes());
                fused += usize::from(same_as_three_steps(&src, &mut scratch));
            }
        }
        eprintln!(
            "{fused} of {} generated inputs took the fused path",
            cases + TRICKY.len() * 50
        );
        assert!(fused > cases / 4, "{fused}");
    }

    /// Every PHP file of Debian's PHP libraries, as is and mutated a few times.
    #[test]
    fn fused_path_matches_three_steps_on_debians_php_libraries() {
        let root = std::path::Path::new("/usr/share/php");
        if !root.is_dir() {
            eprintln!("skipped: no {}", root.display());
            return;
        }
        let mut files = Vec::new();
        let mut dirs = vec![root.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                let kind = entry.file_type().unwrap();
                if kind.is_dir() {
                    dirs.push(path);
                } else if kind.is_file() && path.extension().is_some_and(|e| e == "php") {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut rng = rng::Rng(0xdeb1a2);
        let mut scratch = Scratch::default();
        let (mut cases, mut fused, mut classes) = (0, 0, 0);
        for path in &files {
            let src = std::fs::read(path).unwrap();
            classes += reference(&src).len();
            fused += usize::from(same_as_three_steps(&src, &mut scratch));
            cases += 1;
            for _ in 0..3 {
                let src = mutated(&mut rng, &src);
                fused += usize::from(same_as_three_steps(&src, &mut scratch));
                cases += 1;
            }
        }
        eprintln!(
            "{} files ({classes} classes), {cases} inputs, {fused} took the fused path",
            files.len()
        );
        assert!(fused * 10 > cases * 9, "{fused} of {cases}");
    }

    /// Candidates as the scalar loop finds them, with `visit` returning `resume(at)`.
    fn scalar_candidates(s: &[u8], resume: impl Fn(usize) -> usize) -> Vec<usize> {
        let mut seen = Vec::new();
        let mut i = 0;
        while i < s.len() {
            i = if is_candidate(s, i) {
                seen.push(i);
                resume(i)
            } else {
                i + 1
            };
        }
        seen
    }

    /// The vector loops find the candidates the scalar loop finds, at block edges too, and skip
    /// those below what `visit` returns.
    #[test]
    fn candidates_match_scalar_loop() {
        const BITS: &[&str] = &[
            "cl", "CL", "cL", "in", "IN", "en", "eN", "tr", "TR", "na", "NA", "class", "c", "n",
            "e", "l", "a", "$", ":", ">", "_", "0", "9", "z", "Z", "@", "`", "{", " ", "\n",
            "\u{80}", "\u{ff}",
        ];
        let mut rng = rng::Rng(0x0ca9_d1da);
        for case in 0..20_000 {
            let mut src = Vec::new();
            let len = rng.below(150);
            while src.len() < len {
                if rng.chance(10) {
                    src.push(rng.below(256) as u8);
                } else {
                    src.extend_from_slice(rng.pick_str(BITS).as_bytes());
                }
            }
            // Each visit skips ahead by 1 to 40 bytes, depending on the place.
            let skip = case % 41;
            let resume = |at: usize| at + 1 + (at * 7 + skip) % 41;
            let expected = scalar_candidates(&src, resume);
            let mut found = Vec::new();
            for_each_candidate(&src, |at| {
                found.push(at);
                resume(at)
            });
            assert_eq!(found, expected, "{:?}", String::from_utf8_lossy(&src));
            #[cfg(target_arch = "x86_64")]
            {
                let tail = |s: &[u8], mut i: usize, found: &mut Vec<usize>| {
                    while i < s.len() {
                        i = if is_candidate(s, i) {
                            found.push(i);
                            resume(i)
                        } else {
                            i + 1
                        };
                    }
                };
                let mut found = Vec::new();
                // SAFETY: SSE2 is part of the x86_64 baseline.
                let i = unsafe {
                    x86::candidates_sse2(&src, &mut |at| {
                        found.push(at);
                        resume(at)
                    })
                };
                tail(&src, i, &mut found);
                assert_eq!(found, expected, "SSE2: {:?}", String::from_utf8_lossy(&src));
                if std::arch::is_x86_feature_detected!("avx2") {
                    let mut found = Vec::new();
                    // SAFETY: the CPU supports AVX2.
                    let i = unsafe {
                        x86::candidates_avx2(&src, &mut |at| {
                            found.push(at);
                            resume(at)
                        })
                    };
                    tail(&src, i, &mut found);
                    assert_eq!(found, expected, "AVX2: {:?}", String::from_utf8_lossy(&src));
                }
            }
        }
    }

    /// The vector search for the bytes `fused_code` stops at agrees with the byte test, from
    /// every start, at block edges too.
    #[test]
    fn fused_special_matches_byte_test() {
        const BITS: &[u8] = b"  \t\n\r\x0b\x0c?#/'\"`<xy_$;{\x80\xff";
        let mut rng = rng::Rng(0x05be_c1a1);
        for _ in 0..5_000 {
            let len = rng.below(100) + 1;
            let src: Vec<u8> = (0..len).map(|_| *rng.pick(BITS)).collect();
            for start in 1..=len {
                let expected = (start..len)
                    .find(|&i| is_fused_special(&src, i))
                    .unwrap_or(len);
                assert_eq!(
                    next_fused_special(&src, start),
                    expected,
                    "{start} {:?}",
                    String::from_utf8_lossy(&src)
                );
            }
        }
    }

    /// Declarations at every offset from the start of the text (so across 16- and 32-byte block
    /// edges), in upper case, right after another declaration and after the bytes that hide
    /// them.
    #[test]
    fn declarations_at_every_offset() {
        let tails = [
            "class A {}",
            "CLASS A {} INTERFACE B {} TRAIT C {} ENUM D: int {}",
            "namespace N;class A{}class B\nclass C extends B {}",
            "NameSpace N\\M {interface A{}}namespace{trait B {}}",
            "class A\tclass B\rinterface C\x0benum D\x0ctrait E {}",
            "$class B; ::class C; ->class D; _class E; 9class F; xclass G; class H",
            "enum E:string{} class :x:y-z {} class \u{e9} {}",
            "new class {} new class extends X {} class Y implements Z {}",
        ];
        let mut scratch = Scratch::default();
        for tail in tails {
            for pad in 0..80 {
                for filler in [
                    "x", " ", "\n", "$", "\u{e9}", "x ", " x", "\n ", "x  ", "//\n ",
                ] {
                    let src = format!("<?php {}{tail}", filler.repeat(pad));
                    same_as_three_steps(src.as_bytes(), &mut scratch);
                    assert_eq!(find_classes(src.as_bytes()), reference(src.as_bytes()));
                }
            }
        }
    }

    #[test]
    fn no_php_no_classes() {
        assert!(classes("class Foo {}").is_empty());
        assert!(classes("").is_empty());
    }
}
