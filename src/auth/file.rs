//! Editing Composer's auth.json in place.
//!
//! `magefetch auth set/remove` change one entry (`http-basic.<origin>`, `bearer.<origin>`, …) and
//! leave every other byte of the file as it was: unrelated hosts, other kinds (`github-oauth`,
//! `gitlab-token`, …), key order, indentation and escapes. The file is validated as JSON first,
//! then edited textually using the byte spans of the root object's members and of the kind
//! object's members; new members copy the indentation of their siblings (4 spaces, Composer's
//! own, for a new file or an empty object). The result is written atomically with mode 0600,
//! because the file holds secrets.

use std::path::{Path, PathBuf};

use serde_json::Value;
use thiserror::Error;

use crate::composer::{parse_json, FileError};

/// Credential kinds of auth.json that are keyed by origin.
pub const KINDS: &[&str] = &[
    "http-basic",
    "bearer",
    "github-oauth",
    "gitlab-oauth",
    "gitlab-token",
    "bitbucket-oauth",
    "forgejo-token",
    "custom-headers",
    "client-certificate",
];

#[derive(Debug, Error)]
pub enum AuthFileError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("`{}` must hold a JSON object at the top level", path.display())]
    NotObject { path: PathBuf },
    #[error("could not write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// An auth.json file as text, edited in memory and saved with [`AuthFile::save`].
#[derive(Debug, Clone)]
pub struct AuthFile {
    path: PathBuf,
    text: String,
    existed: bool,
}

impl AuthFile {
    /// Reads `path`; a missing file is an empty one.
    pub fn load(path: &Path) -> Result<AuthFile, AuthFileError> {
        let (text, existed) = match std::fs::read_to_string(path) {
            Ok(t) => (t, true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (String::new(), false),
            Err(source) => {
                return Err(FileError::Read {
                    path: path.to_path_buf(),
                    source,
                }
                .into())
            }
        };
        let file = AuthFile {
            path: path.to_path_buf(),
            text,
            existed,
        };
        file.check()?;
        Ok(file)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn existed(&self) -> bool {
        self.existed
    }

    fn check(&self) -> Result<(), AuthFileError> {
        if self.text.trim().is_empty() {
            return Ok(());
        }
        match parse_json(&self.path, &self.text)? {
            Value::Object(_) => Ok(()),
            _ => Err(AuthFileError::NotObject {
                path: self.path.clone(),
            }),
        }
    }

    /// Sets `<kind>.<origin>` to `value`, replacing an existing entry in place or adding one
    /// after its siblings.
    pub fn set(&mut self, kind: &str, origin: &str, value: &Value) -> Result<(), AuthFileError> {
        if self.text.trim().is_empty() {
            let mut inner = serde_json::Map::new();
            inner.insert(origin.to_string(), value.clone());
            let mut root = serde_json::Map::new();
            root.insert(kind.to_string(), Value::Object(inner));
            self.text = format!("{}\n", render(&Value::Object(root), "", UNIT));
            return Ok(());
        }
        let root = self.root()?;
        let unit = indent_unit(&self.text, &root);
        let kind_member = root.members.iter().find(|m| m.key == kind);
        let edit = match kind_member {
            Some(m) if self.text[m.value_start..].starts_with('{') => {
                let object = parse_object(&self.text, m.value_start).ok_or_else(|| self.bad())?;
                match object.members.iter().find(|o| o.key == origin) {
                    Some(existing) => {
                        let indent = member_indent(&self.text, existing.key_start)
                            .unwrap_or_default()
                            .to_string();
                        Edit {
                            start: existing.value_start,
                            end: existing.value_end,
                            with: render_at(
                                value,
                                &indent,
                                &unit,
                                inline_object(&self.text, &object),
                            ),
                        }
                    }
                    None => insert_member(&self.text, &object, origin, value, &unit),
                }
            }
            Some(m) => {
                let mut inner = serde_json::Map::new();
                inner.insert(origin.to_string(), value.clone());
                let indent = member_indent(&self.text, m.key_start)
                    .unwrap_or_default()
                    .to_string();
                Edit {
                    start: m.value_start,
                    end: m.value_end,
                    with: render_at(&Value::Object(inner), &indent, &unit, false),
                }
            }
            None => {
                let mut inner = serde_json::Map::new();
                inner.insert(origin.to_string(), value.clone());
                insert_member(&self.text, &root, kind, &Value::Object(inner), &unit)
            }
        };
        self.apply(edit);
        self.check()
    }

    /// Removes every entry for `origin` (in all kinds); a kind object left empty is removed
    /// too. Returns the kinds that had an entry.
    pub fn remove(&mut self, origin: &str) -> Result<Vec<String>, AuthFileError> {
        let mut removed = Vec::new();
        if self.text.trim().is_empty() {
            return Ok(removed);
        }
        loop {
            let root = self.root()?;
            let mut edit = None;
            for (ki, kind) in root.members.iter().enumerate() {
                if !self.text[kind.value_start..].starts_with('{') {
                    continue;
                }
                let object =
                    parse_object(&self.text, kind.value_start).ok_or_else(|| self.bad())?;
                let Some(i) = object.members.iter().position(|m| m.key == origin) else {
                    continue;
                };
                removed.push(kind.key.clone());
                edit = Some(if object.members.len() == 1 {
                    remove_member(&root, ki)
                } else {
                    remove_member(&object, i)
                });
                break;
            }
            match edit {
                Some(e) => self.apply(e),
                None => break,
            }
        }
        self.check()?;
        Ok(removed)
    }

    /// Writes the file atomically with mode 0600.
    pub fn save(&self) -> Result<(), AuthFileError> {
        crate::fsutil::write_atomic_mode(&self.path, self.text.as_bytes(), 0o600).map_err(
            |source| AuthFileError::Write {
                path: self.path.clone(),
                source,
            },
        )
    }

    fn root(&self) -> Result<ObjectSpan, AuthFileError> {
        let start = skip_ws(&self.text, 0);
        if !self.text[start..].starts_with('{') {
            return Err(AuthFileError::NotObject {
                path: self.path.clone(),
            });
        }
        parse_object(&self.text, start).ok_or_else(|| self.bad())
    }

    fn bad(&self) -> AuthFileError {
        AuthFileError::NotObject {
            path: self.path.clone(),
        }
    }

    fn apply(&mut self, edit: Edit) {
        self.text.replace_range(edit.start..edit.end, &edit.with);
    }
}

const UNIT: &str = "    ";

struct Edit {
    start: usize,
    end: usize,
    with: String,
}

#[derive(Debug)]
struct Member {
    key: String,
    key_start: usize,
    value_start: usize,
    value_end: usize,
}

#[derive(Debug)]
struct ObjectSpan {
    /// Index of `{`.
    open: usize,
    /// Index of `}`.
    close: usize,
    members: Vec<Member>,
}

/// Inserts `"key": value` as the last member of `object`.
fn insert_member(text: &str, object: &ObjectSpan, key: &str, value: &Value, unit: &str) -> Edit {
    let key_json = Value::String(key.to_string()).to_string();
    match object.members.last() {
        Some(last) => match member_indent(text, last.key_start) {
            Some(indent) => Edit {
                start: last.value_end,
                end: last.value_end,
                with: format!(",\n{indent}{key_json}: {}", render(value, indent, unit)),
            },
            None => Edit {
                start: last.value_end,
                end: last.value_end,
                with: format!(", {key_json}: {}", render_inline(value)),
            },
        },
        None => {
            let outer = line_indent(text, object.open);
            let inner = format!("{outer}{unit}");
            Edit {
                start: object.open,
                end: object.close + 1,
                with: format!(
                    "{{\n{inner}{key_json}: {}\n{outer}}}",
                    render(value, &inner, unit)
                ),
            }
        }
    }
}

/// Removes member `i` of `object` with its separating comma and the whitespace before it.
fn remove_member(object: &ObjectSpan, i: usize) -> Edit {
    let m = &object.members[i];
    if i > 0 {
        Edit {
            start: object.members[i - 1].value_end,
            end: m.value_end,
            with: String::new(),
        }
    } else if let Some(next) = object.members.get(1) {
        Edit {
            start: m.key_start,
            end: next.key_start,
            with: String::new(),
        }
    } else {
        Edit {
            start: object.open + 1,
            end: object.close,
            with: String::new(),
        }
    }
}

fn render_at(value: &Value, indent: &str, unit: &str, inline: bool) -> String {
    if inline {
        render_inline(value)
    } else {
        render(value, indent, unit)
    }
}

/// Pretty JSON (Composer's layout: `"key": value`, one member per line) whose continuation
/// lines start with `indent`.
fn render(value: &Value, indent: &str, unit: &str) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Serialising a Value into a Vec cannot fail.
    let _ = serde::Serialize::serialize(value, &mut ser);
    let text = String::from_utf8_lossy(&out).into_owned();
    text.replace('\n', &format!("\n{indent}"))
}

fn render_inline(value: &Value) -> String {
    let compact = value.to_string();
    // `{"a":"b"}` → `{"a": "b"}`, matching the spacing of hand-written one-line objects.
    match value {
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), render_inline(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        _ => compact,
    }
}

/// Whether `object` is written on one line.
fn inline_object(text: &str, object: &ObjectSpan) -> bool {
    !text[object.open..=object.close].contains('\n')
}

/// The whitespace before a member key when the key starts its line; `None` for a key that
/// follows other text on its line.
fn member_indent(text: &str, key_start: usize) -> Option<&str> {
    let line_start = text[..key_start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..key_start];
    before
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(before)
}

/// The leading whitespace of the line holding `pos`.
fn line_indent(text: &str, pos: usize) -> &str {
    let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let end = line
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(line.len());
    &line[..end]
}

/// The file's indentation step: the indentation of the root's first member, else 4 spaces.
fn indent_unit(text: &str, root: &ObjectSpan) -> String {
    root.members
        .first()
        .and_then(|m| member_indent(text, m.key_start))
        .filter(|i| !i.is_empty())
        .unwrap_or(UNIT)
        .to_string()
}

fn skip_ws(text: &str, mut pos: usize) -> usize {
    let b = text.as_bytes();
    while pos < b.len() && matches!(b[pos], b' ' | b'\t' | b'\n' | b'\r') {
        pos += 1;
    }
    pos
}

/// The spans of the object starting at `open` (which must be `{`). The text was validated as
/// JSON before, so this only has to find boundaries; it returns `None` on anything odd.
fn parse_object(text: &str, open: usize) -> Option<ObjectSpan> {
    let b = text.as_bytes();
    if b.get(open) != Some(&b'{') {
        return None;
    }
    let mut members = Vec::new();
    let mut pos = skip_ws(text, open + 1);
    if b.get(pos) == Some(&b'}') {
        return Some(ObjectSpan {
            open,
            close: pos,
            members,
        });
    }
    loop {
        let key_start = pos;
        let key_end = skip_string(b, pos)?;
        let key: String = serde_json::from_str(&text[key_start..key_end]).ok()?;
        pos = skip_ws(text, key_end);
        if b.get(pos) != Some(&b':') {
            return None;
        }
        let value_start = skip_ws(text, pos + 1);
        let value_end = skip_value(b, value_start)?;
        members.push(Member {
            key,
            key_start,
            value_start,
            value_end,
        });
        pos = skip_ws(text, value_end);
        match b.get(pos) {
            Some(b',') => pos = skip_ws(text, pos + 1),
            Some(b'}') => {
                return Some(ObjectSpan {
                    open,
                    close: pos,
                    members,
                })
            }
            _ => return None,
        }
    }
}

/// End (exclusive) of the string starting at `pos`.
fn skip_string(b: &[u8], pos: usize) -> Option<usize> {
    if b.get(pos) != Some(&b'"') {
        return None;
    }
    let mut i = pos + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// End (exclusive) of the value starting at `pos`.
fn skip_value(b: &[u8], pos: usize) -> Option<usize> {
    match b.get(pos)? {
        b'"' => skip_string(b, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = skip_string(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = pos;
            while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                i += 1;
            }
            Some(i)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn file(text: &str) -> AuthFile {
        AuthFile {
            path: PathBuf::from("auth.json"),
            text: text.to_string(),
            existed: true,
        }
    }

    fn basic(u: &str, p: &str) -> Value {
        json!({"username": u, "password": p})
    }

    #[test]
    fn new_file_uses_composer_layout() {
        let mut f = file("");
        f.set("http-basic", "repo.magento.com", &basic("u", "p"))
            .unwrap();
        assert_eq!(
            f.text(),
            "{\n    \"http-basic\": {\n        \"repo.magento.com\": {\n            \"username\": \"u\",\n            \"password\": \"p\"\n        }\n    }\n}\n"
        );
    }

    #[test]
    fn set_then_remove_restores_every_byte() {
        let originals = [
            "{\n    \"github-oauth\": {\"github.com\": \"tok\\u00e9\"},\n    \"http-basic\": {\n        \"a.example\": {\"username\": \"x\", \"password\": \"y\"}\n    }\n}\n",
            "{\n  \"bearer\": {\n    \"b.example\": \"t\"\n  }\n}",
            "{\"gitlab-token\": {\"gitlab.com\": \"g\"}}",
            "{\n    \"http-basic\": {}\n}\n",
            "{}",
        ];
        for original in originals {
            let mut f = file(original);
            f.set("http-basic", "new.example:8080", &basic("u", "p"))
                .unwrap();
            let v: Value = serde_json::from_str(f.text()).unwrap();
            assert_eq!(
                v["http-basic"]["new.example:8080"],
                basic("u", "p"),
                "{original}"
            );
            let before: Value = serde_json::from_str(original).unwrap();
            for (k, val) in before.as_object().unwrap() {
                if k != "http-basic" {
                    assert_eq!(&v[k], val);
                }
            }
            assert_eq!(f.remove("new.example:8080").unwrap(), vec!["http-basic"]);
            let expected = if original.contains("\"http-basic\": {}") {
                // The emptied kind object goes too.
                "{}\n".to_string()
            } else {
                original.to_string()
            };
            assert_eq!(f.text(), expected, "{original}");
        }
    }

    #[test]
    fn replaces_in_place_and_keeps_siblings() {
        let original = "{\n    \"http-basic\": {\n        \"repo.magento.com\": {\n            \"username\": \"old\",\n            \"password\": \"old\"\n        },\n        \"other\": {\"username\": \"o\", \"password\": \"o\"}\n    },\n    \"bearer\": {\"x\": \"y\"}\n}\n";
        let mut f = file(original);
        f.set("http-basic", "repo.magento.com", &basic("new", "newp"))
            .unwrap();
        let expected = "{\n    \"http-basic\": {\n        \"repo.magento.com\": {\n            \"username\": \"new\",\n            \"password\": \"newp\"\n        },\n        \"other\": {\"username\": \"o\", \"password\": \"o\"}\n    },\n    \"bearer\": {\"x\": \"y\"}\n}\n";
        assert_eq!(f.text(), expected);
    }

    #[test]
    fn removes_from_all_kinds() {
        let mut f = file("{\"http-basic\": {\"h\": {\"username\": \"a\", \"password\": \"b\"}, \"k\": {\"username\": \"c\", \"password\": \"d\"}}, \"bearer\": {\"h\": \"t\"}}");
        let removed = f.remove("h").unwrap();
        assert_eq!(removed, vec!["http-basic", "bearer"]);
        assert_eq!(
            f.text(),
            "{\"http-basic\": {\"k\": {\"username\": \"c\", \"password\": \"d\"}}}"
        );
        assert!(f.remove("missing").unwrap().is_empty());
    }

    #[test]
    fn refuses_non_objects() {
        let path = PathBuf::from("x/auth.json");
        let f = AuthFile {
            path,
            text: "[1]".into(),
            existed: true,
        };
        assert!(matches!(f.check(), Err(AuthFileError::NotObject { .. })));
        let f = file("{\"a\": ");
        assert!(matches!(f.check(), Err(AuthFileError::File(_))));
    }
}
