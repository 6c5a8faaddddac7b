//! Editing composer.json in place, keeping the author's formatting.
//!
//! `require` and `remove` change one or two entries of a file people wrote by hand: the rest of
//! the file (key order, indentation, line endings, blank lines, how other values are spelled)
//! must come out exactly as it went in, and the lines that do change must look like the ones
//! Composer writes for the same edit, so a project can use both tools without diff noise.
//!
//! The text is scanned once into a tree of byte spans (objects, their members, arrays,
//! scalars); an edit replaces one span and re-scans. The edits follow Composer's
//! `JsonManipulator`:
//!
//! * [`JsonEditor::add_link`]: an existing entry (matched case-insensitively, `\/` allowed) gets
//!   the new constraint and keeps its spelling; a new one is appended after the last entry on
//!   its own line, indented two levels; an empty object is rewritten with the entry in it; a
//!   missing section is added at the end of the file. With `sort-packages`, the section is
//!   rewritten in Composer's order (php, hhvm, ext-*, lib-*, other platform names, then the
//!   rest, naturally sorted).
//! * [`JsonEditor::remove_sub_node`]: the entry goes with the comma that joined it to the
//!   previous one (or the following comma when it is first); a section left empty becomes
//!   `{` newline indent `}`.
//! * [`JsonEditor::remove_main_key_if_empty`]: an empty section disappears with its comma.
//!
//! The indentation unit is the whitespace before the first indented key (4 spaces when there is
//! none) and the newline is `\r\n` when the file uses it. Output is the trimmed text plus one
//! newline, as Composer writes it.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::composer::installed::is_platform_package;
use crate::composer::json::to_pretty;

/// Why a file cannot be edited.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("the file is not valid JSON: {0}")]
    Syntax(String),
    #[error("the top level of the file must be a JSON object (`{{ … }}`)")]
    NotAnObject,
    #[error("`{0}` must be a JSON object of package names and constraints")]
    NotAMap(String),
}

/// A composer.json text being edited.
#[derive(Debug, Clone)]
pub struct JsonEditor {
    text: String,
    newline: &'static str,
    indent: String,
}

impl JsonEditor {
    /// Takes the file's text; an empty file is an empty object.
    pub fn new(text: &str) -> Result<JsonEditor, EditError> {
        let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\0');
        let trimmed = if trimmed.is_empty() { "{}" } else { trimmed };
        let newline = if trimmed.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let text = if trimmed == "{}" {
            format!("{{{newline}}}")
        } else {
            trimmed.to_string()
        };
        let root = parse(&text)?;
        if !matches!(root.kind, Kind::Object(_)) {
            return Err(EditError::NotAnObject);
        }
        let indent = detect_indent(&text);
        Ok(JsonEditor {
            text,
            newline,
            indent,
        })
    }

    /// The edited file: the text and one final newline.
    pub fn contents(&self) -> String {
        format!("{}{}", self.text, self.newline)
    }

    fn root(&self) -> Node {
        // The text is re-scanned after every edit and edits only insert valid JSON.
        parse(&self.text).expect("edited JSON stays valid")
    }

    /// Sets `section.package` to `constraint` (`section` is `require`, `require-dev`, …).
    pub fn add_link(
        &mut self,
        section: &str,
        package: &str,
        constraint: &str,
        sort_packages: bool,
    ) -> Result<(), EditError> {
        let root = self.root();
        let Some(member) = root.member(&self.text, section) else {
            let mut map = Map::new();
            map.insert(package.to_string(), Value::String(constraint.to_string()));
            self.add_main_key(section, &Value::Object(map));
            return Ok(());
        };
        let links = &member.value;
        let (start, end) = (links.start, links.end);
        let mut new_links = match &links.kind {
            Kind::Object(members) => {
                let found: Vec<&Member> = members
                    .iter()
                    .filter(|m| {
                        m.key.replace("\\/", "/").eq_ignore_ascii_case(package)
                            && matches!(m.value.kind, Kind::Scalar)
                            && self.text.as_bytes()[m.value.start] == b'"'
                    })
                    .collect();
                if !found.is_empty() {
                    // Replace every matching entry, keeping its spelling and separator.
                    let mut out = String::new();
                    let mut pos = start;
                    for m in found {
                        out.push_str(&self.text[pos..m.key_start]);
                        out.push_str(&encode(&Value::String(m.key.replace("\\/", "/"))));
                        out.push_str(&self.text[m.key_end..m.value.start]);
                        // Composer pastes the constraint between quotes as it is; encoding it
                        // gives the same text for every valid constraint and keeps the JSON
                        // valid for any other.
                        out.push_str(&encode(&Value::String(constraint.to_string())));
                        pos = m.value.end;
                    }
                    out.push_str(&self.text[pos..end]);
                    out
                } else if let Some(last) = members.last() {
                    format!(
                        "{},{nl}{i}{i}{}: {}{}",
                        &self.text[start..last.value.end],
                        encode(&Value::String(package.to_string())),
                        encode(&Value::String(constraint.to_string())),
                        &self.text[last.value.end..end],
                        nl = self.newline,
                        i = self.indent,
                    )
                } else {
                    self.fresh_links(package, constraint)
                }
            }
            Kind::Array(items) if items.is_empty() => self.fresh_links(package, constraint),
            _ => return Err(EditError::NotAMap(section.to_string())),
        };
        if sort_packages {
            let mut entries: Vec<(String, Value)> = match serde_json::from_str::<Value>(&new_links)
            {
                Ok(Value::Object(map)) => map.into_iter().collect(),
                _ => return Err(EditError::NotAMap(section.to_string())),
            };
            entries.sort_by(|a, b| compare_for_sort_packages(&a.0, &b.0));
            new_links = self.format(&Value::Object(entries.into_iter().collect()), 0);
        }
        self.text.replace_range(start..end, &new_links);
        Ok(())
    }

    fn fresh_links(&self, package: &str, constraint: &str) -> String {
        format!(
            "{{{nl}{i}{i}{}: {}{nl}{i}}}",
            encode(&Value::String(package.to_string())),
            encode(&Value::String(constraint.to_string())),
            nl = self.newline,
            i = self.indent,
        )
    }

    /// Removes `section.name` (the exact name, as Composer's check is case-sensitive); nothing
    /// to do is not an error.
    pub fn remove_sub_node(&mut self, section: &str, name: &str) -> Result<(), EditError> {
        let root = self.root();
        let Some(member) = root.member(&self.text, section) else {
            return Ok(());
        };
        let node = &member.value;
        let members = match &node.kind {
            Kind::Object(members) => members,
            Kind::Array(items) if items.is_empty() => return Ok(()),
            _ => return Err(EditError::NotAMap(section.to_string())),
        };
        let Some(index) = members.iter().position(|m| m.key == name) else {
            return Ok(());
        };
        if members.len() == 1 {
            let empty = format!("{{{}{}}}", self.newline, self.indent);
            self.text.replace_range(node.start..node.end, &empty);
            return Ok(());
        }
        let target = &members[index];
        let bytes = self.text.as_bytes();
        let range = if index > 0 {
            // `,<ws>"name": value`: from the comma that precedes the key.
            let mut comma = target.key_start;
            while comma > 0 && bytes[comma - 1].is_ascii_whitespace() {
                comma -= 1;
            }
            if comma > 0 && bytes[comma - 1] == b',' {
                comma - 1..target.value.end
            } else {
                target.key_start..skip_separator(bytes, target.value.end)
            }
        } else {
            // First entry: `"name": value<ws>,<ws>`.
            target.key_start..skip_separator(bytes, target.value.end)
        };
        self.text.replace_range(range, "");
        Ok(())
    }

    /// Removes a top-level key whose value is an empty object or list.
    pub fn remove_main_key_if_empty(&mut self, key: &str) {
        let root = self.root();
        let Some(member) = root.member(&self.text, key) else {
            return;
        };
        let empty = match &member.value.kind {
            Kind::Object(m) => m.is_empty(),
            Kind::Array(a) => a.is_empty(),
            Kind::Scalar => false,
        };
        if empty {
            self.remove_main_key(key);
        }
    }

    /// Removes a top-level key, its value and the comma that belonged to it.
    pub fn remove_main_key(&mut self, key: &str) {
        let root = self.root();
        let Some(member) = root.member(&self.text, key) else {
            return;
        };
        let bytes = self.text.as_bytes();
        let mut start_part = self.text[..member.key_start].to_string();
        let end_part = &self.text[skip_separator(bytes, member.value.end)..];
        if end_part == "}" {
            let trimmed = start_part.trim_end_matches(|c: char| c.is_ascii_whitespace());
            if let Some(before_comma) = trimmed.strip_suffix(',') {
                let whitespace = start_part[trimmed.len()..].to_string();
                start_part = format!("{before_comma}{whitespace}");
                let keep = start_part
                    .trim_end_matches(|c: char| self.indent.contains(c))
                    .len();
                start_part.truncate(keep);
            }
        }
        let joined = format!("{start_part}{end_part}");
        let inner = joined.trim_start_matches('{').trim_end_matches('}');
        self.text = if joined.starts_with('{') && inner.trim().is_empty() {
            "{\n}".to_string()
        } else {
            joined
        };
    }

    /// Sets a top-level key (replacing its value, or appending it at the end of the object).
    pub fn add_main_key(&mut self, key: &str, value: &Value) {
        let content = self.format(value, 0);
        let root = self.root();
        if let Some(member) = root.member(&self.text, key) {
            let replacement = format!("{}: {}", encode(&Value::String(key.into())), content);
            self.text
                .replace_range(member.key_start..member.value.end, &replacement);
            return;
        }
        let close = self.text.len() - 1; // the final `}`
        let before = self.text[..close].trim_end_matches(|c: char| c.is_ascii_whitespace());
        let entry = format!("{}: {}", encode(&Value::String(key.into())), content);
        if before.ends_with('{') {
            self.text.replace_range(
                close..,
                &format!("{}{entry}{}}}", self.indent, self.newline),
            );
        } else {
            let keep = before.len();
            self.text.replace_range(
                keep..,
                &format!(",{nl}{}{entry}{nl}}}", self.indent, nl = self.newline),
            );
        }
    }

    /// Composer's `JsonManipulator::format`: objects one entry per line, lists inline.
    fn format(&self, value: &Value, depth: usize) -> String {
        match value {
            Value::Array(items) => {
                let parts: Vec<String> = items.iter().map(|v| self.format(v, depth + 1)).collect();
                format!("[{}]", parts.join(", "))
            }
            Value::Object(map) => {
                let elems: Vec<String> = map
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{}{}: {}",
                            self.indent.repeat(depth + 2),
                            encode(&Value::String(k.clone())),
                            self.format(v, depth + 1)
                        )
                    })
                    .collect();
                format!(
                    "{{{nl}{}{nl}{}}}",
                    elems.join(&format!(",{}", self.newline)),
                    self.indent.repeat(depth + 1),
                    nl = self.newline
                )
            }
            scalar => encode(scalar),
        }
    }
}

/// `json_encode` with unescaped slashes and unicode, on one line for scalars.
fn encode(value: &Value) -> String {
    let mut s = to_pretty(value);
    s.pop();
    s
}

/// Past whitespace, one optional comma, and whitespace.
fn skip_separator(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
        pos += 1;
    }
    if pos < bytes.len() && bytes[pos] == b',' {
        pos += 1;
    }
    while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
        pos += 1;
    }
    pos
}

/// The whitespace before the first key that starts a line (4 spaces when there is none).
fn detect_indent(text: &str) -> String {
    for line in text.split('\n') {
        let ws: &str = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        if !ws.is_empty() && line[ws.len()..].starts_with('"') {
            return ws.to_string();
        }
    }
    "    ".to_string()
}

/// Composer's `sort-packages` order: platform packages first (php, hhvm, ext-*, lib-*, the
/// others), then everything else, each group in natural order.
pub fn compare_for_sort_packages(a: &str, b: &str) -> Ordering {
    strnatcmp(&sort_key(a), &sort_key(b))
}

fn sort_key(name: &str) -> String {
    if !is_platform_package(name) {
        return format!("5-{name}");
    }
    let group = if name.starts_with("php") {
        '0'
    } else if name.starts_with("hhvm") {
        '1'
    } else if name.starts_with("ext") {
        '2'
    } else if name.starts_with("lib") {
        '3'
    } else if name.starts_with(|c: char| !c.is_ascii_digit()) {
        '4'
    } else {
        return name.to_string();
    };
    format!("{group}-{name}")
}

/// PHP's `strnatcmp`: runs of digits compare as numbers (a run with a leading zero compares
/// digit by digit, as a fraction would), everything else byte by byte; whitespace is skipped.
pub fn strnatcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        while i < a.len() && a[i].is_ascii_whitespace() {
            i += 1;
        }
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        match (a.get(i), b.get(j)) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(&ca), Some(&cb)) if ca.is_ascii_digit() && cb.is_ascii_digit() => {
                let ei = i + a[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                let ej = j + b[j..].iter().take_while(|c| c.is_ascii_digit()).count();
                let (ra, rb) = (&a[i..ei], &b[j..ej]);
                let ord = if ca == b'0' || cb == b'0' {
                    ra.cmp(rb)
                } else {
                    ra.len().cmp(&rb.len()).then_with(|| ra.cmp(rb))
                };
                if ord != Ordering::Equal {
                    return ord;
                }
                i = ei;
                j = ej;
            }
            (Some(&ca), Some(&cb)) => {
                if ca != cb {
                    return ca.cmp(&cb);
                }
                i += 1;
                j += 1;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A span tree of the JSON text.

#[derive(Debug)]
struct Node {
    start: usize,
    end: usize,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Object(Vec<Member>),
    Array(Vec<Node>),
    Scalar,
}

#[derive(Debug)]
struct Member {
    key: String,
    key_start: usize,
    key_end: usize,
    value: Node,
}

impl Node {
    /// The first member named `key` of this object.
    fn member(&self, _text: &str, key: &str) -> Option<&Member> {
        match &self.kind {
            Kind::Object(members) => members.iter().find(|m| m.key == key),
            _ => None,
        }
    }
}

fn parse(text: &str) -> Result<Node, EditError> {
    // Validate with serde_json first: its messages carry line and column.
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .map_err(|e| EditError::Syntax(e.to_string()))?;
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
    };
    scanner.skip_ws();
    let node = scanner.value()?;
    Ok(node)
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn err(&self, what: &str) -> EditError {
        EditError::Syntax(format!("{what} at byte {}", self.pos))
    }

    fn value(&mut self) -> Result<Node, EditError> {
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                let mut members = Vec::new();
                self.skip_ws();
                if self.bytes.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                    return Ok(Node {
                        start,
                        end: self.pos,
                        kind: Kind::Object(members),
                    });
                }
                loop {
                    self.skip_ws();
                    let key_start = self.pos;
                    self.string()?;
                    let key_end = self.pos;
                    let key: String = serde_json::from_slice(&self.bytes[key_start..key_end])
                        .map_err(|e| {
                            EditError::Syntax(format!("bad key at byte {key_start}: {e}"))
                        })?;
                    self.skip_ws();
                    if self.bytes.get(self.pos) != Some(&b':') {
                        return Err(self.err("expected `:`"));
                    }
                    self.pos += 1;
                    self.skip_ws();
                    let value = self.value()?;
                    members.push(Member {
                        key,
                        key_start,
                        key_end,
                        value,
                    });
                    self.skip_ws();
                    match self.bytes.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            break;
                        }
                        _ => return Err(self.err("expected `,` or `}`")),
                    }
                }
                Ok(Node {
                    start,
                    end: self.pos,
                    kind: Kind::Object(members),
                })
            }
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.bytes.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                    return Ok(Node {
                        start,
                        end: self.pos,
                        kind: Kind::Array(items),
                    });
                }
                loop {
                    self.skip_ws();
                    items.push(self.value()?);
                    self.skip_ws();
                    match self.bytes.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        _ => return Err(self.err("expected `,` or `]`")),
                    }
                }
                Ok(Node {
                    start,
                    end: self.pos,
                    kind: Kind::Array(items),
                })
            }
            Some(b'"') => {
                self.string()?;
                Ok(Node {
                    start,
                    end: self.pos,
                    kind: Kind::Scalar,
                })
            }
            Some(_) => {
                while self.pos < self.bytes.len()
                    && !matches!(self.bytes[self.pos], b',' | b'}' | b']')
                    && !self.bytes[self.pos].is_ascii_whitespace()
                {
                    self.pos += 1;
                }
                if self.pos == start {
                    return Err(self.err("expected a value"));
                }
                Ok(Node {
                    start,
                    end: self.pos,
                    kind: Kind::Scalar,
                })
            }
            None => Err(self.err("unexpected end")),
        }
    }

    fn string(&mut self) -> Result<(), EditError> {
        if self.bytes.get(self.pos) != Some(&b'"') {
            return Err(self.err("expected a string"));
        }
        self.pos += 1;
        while let Some(&c) = self.bytes.get(self.pos) {
            self.pos += 1;
            match c {
                b'\\' => self.pos += 1,
                b'"' => return Ok(()),
                _ => {}
            }
        }
        Err(self.err("unterminated string"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str, f: impl FnOnce(&mut JsonEditor)) -> String {
        let mut e = JsonEditor::new(text).unwrap();
        f(&mut e);
        e.contents()
    }

    const BASE: &str = "{\n    \"name\": \"acme/project\",\n    \"require\": {\n        \"php\": \"^8.1\",\n        \"acme/a\": \"^1.0\"\n    },\n    \"require-dev\": {\n        \"acme/test\": \"^2.0\"\n    }\n}\n";

    #[test]
    fn appends_a_new_link_after_the_last_one() {
        let out = edit(BASE, |e| {
            e.add_link("require", "acme/b", "^2.1", false).unwrap()
        });
        assert_eq!(
            out,
            "{\n    \"name\": \"acme/project\",\n    \"require\": {\n        \"php\": \"^8.1\",\n        \"acme/a\": \"^1.0\",\n        \"acme/b\": \"^2.1\"\n    },\n    \"require-dev\": {\n        \"acme/test\": \"^2.0\"\n    }\n}\n"
        );
    }

    #[test]
    fn updates_an_existing_link_keeping_its_spelling() {
        let text = "{\"require\": {\"Acme/A\" :  \"^1.0\", \"acme\\/b\": \"1.*\"}}";
        let out = edit(text, |e| {
            e.add_link("require", "acme/a", "^1.2", false).unwrap();
            e.add_link("require", "acme/b", "^3", false).unwrap();
        });
        assert_eq!(
            out,
            "{\"require\": {\"Acme/A\" :  \"^1.2\", \"acme/b\": \"^3\"}}\n"
        );
    }

    #[test]
    fn adds_a_missing_section_at_the_end() {
        let out = edit("{\n  \"name\": \"x/y\"\n}", |e| {
            e.add_link("require", "acme/a", "^1.0", false).unwrap()
        });
        assert_eq!(
            out,
            "{\n  \"name\": \"x/y\",\n  \"require\": {\n    \"acme/a\": \"^1.0\"\n  }\n}\n"
        );
        let out = edit("", |e| e.add_link("require", "acme/a", "*", false).unwrap());
        assert_eq!(
            out,
            "{\n    \"require\": {\n        \"acme/a\": \"*\"\n    }\n}\n"
        );
    }

    #[test]
    fn fills_an_empty_section() {
        for empty in ["{}", "[]", "{ }"] {
            let text = format!("{{\n    \"require\": {empty},\n    \"name\": \"x/y\"\n}}");
            let out = edit(&text, |e| {
                e.add_link("require", "acme/a", "^1.0", false).unwrap()
            });
            assert_eq!(
                out,
                "{\n    \"require\": {\n        \"acme/a\": \"^1.0\"\n    },\n    \"name\": \"x/y\"\n}\n"
            );
        }
    }

    #[test]
    fn sorts_packages_like_composer() {
        let text = "{\n    \"require\": {\n        \"zeta/z\": \"1\",\n        \"ext-json\": \"*\",\n        \"php\": \"^8\",\n        \"composer-plugin-api\": \"^2\",\n        \"lib-icu\": \"*\"\n    }\n}";
        let out = edit(text, |e| {
            e.add_link("require", "acme/a10", "1", true).unwrap()
        });
        let out = JsonEditor::new(&out)
            .map(|mut e| {
                e.add_link("require", "acme/a9", "1", true).unwrap();
                e.contents()
            })
            .unwrap();
        assert_eq!(
            out,
            "{\n    \"require\": {\n        \"php\": \"^8\",\n        \"ext-json\": \"*\",\n        \"lib-icu\": \"*\",\n        \"composer-plugin-api\": \"^2\",\n        \"acme/a9\": \"1\",\n        \"acme/a10\": \"1\",\n        \"zeta/z\": \"1\"\n    }\n}\n"
        );
    }

    #[test]
    fn removes_entries_with_their_commas() {
        let out = edit(BASE, |e| e.remove_sub_node("require", "acme/a").unwrap());
        assert_eq!(
            out,
            "{\n    \"name\": \"acme/project\",\n    \"require\": {\n        \"php\": \"^8.1\"\n    },\n    \"require-dev\": {\n        \"acme/test\": \"^2.0\"\n    }\n}\n"
        );
        let out = edit(BASE, |e| e.remove_sub_node("require", "php").unwrap());
        assert!(
            out.contains("\"require\": {\n        \"acme/a\": \"^1.0\"\n    },"),
            "{out}"
        );
        // absent entries and sections are fine
        assert_eq!(
            edit(BASE, |e| e.remove_sub_node("require", "x/y").unwrap()),
            BASE
        );
        assert_eq!(
            edit(BASE, |e| e.remove_sub_node("conflict", "x/y").unwrap()),
            BASE
        );
    }

    #[test]
    fn an_emptied_section_is_removed_with_its_comma() {
        let out = edit(BASE, |e| {
            e.remove_sub_node("require-dev", "acme/test").unwrap();
            e.remove_main_key_if_empty("require-dev");
        });
        assert_eq!(
            out,
            "{\n    \"name\": \"acme/project\",\n    \"require\": {\n        \"php\": \"^8.1\",\n        \"acme/a\": \"^1.0\"\n    }\n}\n"
        );
        let out = edit(BASE, |e| {
            e.remove_sub_node("require", "php").unwrap();
            e.remove_sub_node("require", "acme/a").unwrap();
            e.remove_main_key_if_empty("require");
        });
        assert_eq!(
            out,
            "{\n    \"name\": \"acme/project\",\n    \"require-dev\": {\n        \"acme/test\": \"^2.0\"\n    }\n}\n"
        );
        // a non-empty section stays
        assert_eq!(edit(BASE, |e| e.remove_main_key_if_empty("require")), BASE);
    }

    #[test]
    fn keeps_crlf_tabs_and_everything_else() {
        let text = "{\r\n\t\"require\": {\r\n\t\t\"acme/a\": \"^1.0\"\r\n\t},\r\n\t\"extra\": {\"x\": [1, 2]}\r\n}\r\n";
        let out = edit(text, |e| {
            e.add_link("require", "acme/b", "^2", false).unwrap()
        });
        assert_eq!(
            out,
            "{\r\n\t\"require\": {\r\n\t\t\"acme/a\": \"^1.0\",\r\n\t\t\"acme/b\": \"^2\"\r\n\t},\r\n\t\"extra\": {\"x\": [1, 2]}\r\n}\r\n"
        );
    }

    #[test]
    fn rejects_what_is_not_an_object() {
        assert!(matches!(
            JsonEditor::new("[1]"),
            Err(EditError::NotAnObject)
        ));
        assert!(matches!(
            JsonEditor::new("{\"a\": }"),
            Err(EditError::Syntax(_))
        ));
        let mut e = JsonEditor::new("{\"require\": \"x\"}").unwrap();
        assert!(matches!(
            e.add_link("require", "a/b", "1", false),
            Err(EditError::NotAMap(_))
        ));
    }

    #[test]
    fn natural_order() {
        assert_eq!(strnatcmp("a2", "a10"), Ordering::Less);
        assert_eq!(strnatcmp("a10", "a2"), Ordering::Greater);
        assert_eq!(strnatcmp("a01", "a1"), Ordering::Less);
        assert_eq!(strnatcmp("abc", "abc"), Ordering::Equal);
        assert_eq!(strnatcmp("ab", "abc"), Ordering::Less);
    }
}
