//! JSON the way PHP's `json_encode` writes it.
//!
//! Composer writes composer.lock and installed.json with
//! `JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE` (4-space indent,
//! `"key": value`, a final newline added by `JsonFile`), and hashes composer.json for the lock's
//! `content-hash` with flags `0` (no whitespace, `/` escaped as `\/`, every non-ASCII character as
//! `\uXXXX`, and PHP's array semantics: `{}` becomes `[]`, an object keyed `"0".."n-1"` becomes a
//! list). Both writers live here so every generated file matches Composer byte for byte.

use serde_json::{Map, Value};

/// Pretty form with unescaped slashes and unicode, plus the trailing newline Composer adds.
pub fn to_pretty(value: &Value) -> String {
    let mut out = String::with_capacity(4096);
    write_pretty(&mut out, value, 0);
    out.push('\n');
    out
}

fn write_pretty(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                indent(out, depth + 1);
                write_pretty(out, item, depth + 1);
            }
            out.push('\n');
            indent(out, depth);
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                indent(out, depth + 1);
                write_string(out, key, false);
                out.push_str(": ");
                write_pretty(out, item, depth + 1);
            }
            out.push('\n');
            indent(out, depth);
            out.push('}');
        }
        scalar => write_scalar(out, scalar, false),
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("    ");
    }
}

fn write_scalar(out: &mut String, value: &Value, ascii: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s, ascii),
        Value::Array(_) | Value::Object(_) => unreachable_container(out, value, ascii),
    }
}

fn unreachable_container(out: &mut String, value: &Value, ascii: bool) {
    // Containers are handled by the callers; keep a correct fallback rather than a panic.
    write_compact(out, value, ascii);
}

/// Writes a JSON string. `php_default` selects `json_encode` flags 0: escaped `/` and `\uXXXX`
/// for everything outside ASCII; otherwise slashes and unicode are written as they are (except
/// U+2028/U+2029, which PHP always escapes).
fn write_string(out: &mut String, s: &str, php_default: bool) {
    out.push('"');
    let mut rest = s;
    loop {
        // Copy the run of characters that need no escape in one go.
        let plain = rest
            .bytes()
            .position(|b| needs_escape(b, php_default))
            .unwrap_or(rest.len());
        out.push_str(&rest[..plain]);
        rest = &rest[plain..];
        let Some(ch) = rest.chars().next() else {
            break;
        };
        rest = &rest[ch.len_utf8()..];
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if php_default => out.push_str("\\/"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => push_u16_escape(out, c as u16),
            '\u{2028}' | '\u{2029}' => push_u16_escape(out, ch as u16),
            c if php_default && !c.is_ascii() => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    push_u16_escape(out, *unit);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether a byte may start a character that is escaped: quotes, backslashes, controls,
/// every non-ASCII byte (U+2028/U+2029 always, all of them with PHP's defaults) and `/` with
/// PHP's defaults.
fn needs_escape(b: u8, php_default: bool) -> bool {
    b < 0x20 || b == b'"' || b == b'\\' || b >= 0x80 || (php_default && b == b'/')
}

fn push_u16_escape(out: &mut String, unit: u16) {
    out.push_str(&format!("\\u{unit:04x}"));
}

/// `json_encode($value)` with flags 0, after the value went through `json_decode(…, true)`.
pub fn to_php_compact(value: &Value) -> String {
    let mut out = String::with_capacity(1024);
    write_compact(&mut out, value, true);
    out
}

fn write_compact(out: &mut String, value: &Value, php: bool) {
    match value {
        Value::Array(items) => write_list(out, items.iter(), php),
        Value::Object(map) if php && map.is_empty() => out.push_str("[]"),
        Value::Object(map) if php && is_php_list(map) => write_list(out, map.values(), php),
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key, php);
                out.push(':');
                write_compact(out, item, php);
            }
            out.push('}');
        }
        Value::String(s) => write_string(out, s, php),
        scalar => write_scalar(out, scalar, php),
    }
}

fn write_list<'a>(out: &mut String, items: impl Iterator<Item = &'a Value>, php: bool) {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_compact(out, item, php);
    }
    out.push(']');
}

/// A PHP array decoded from an object is re-encoded as a list when its keys are exactly the
/// integers 0..n-1 in order (keys such as "01" or "-0" are strings, not integers, in PHP).
fn is_php_list(map: &Map<String, Value>) -> bool {
    map.keys()
        .enumerate()
        .all(|(i, k)| k.parse::<usize>().ok() == Some(i) && *k == i.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pretty_matches_php() {
        let v = json!({"name": "a/b", "list": [], "obj": {}, "n": [1, {"u": "é/ü"}]});
        assert_eq!(
            to_pretty(&v),
            "{\n    \"name\": \"a/b\",\n    \"list\": [],\n    \"obj\": {},\n    \"n\": [\n        1,\n        {\n            \"u\": \"é/ü\"\n        }\n    ]\n}\n"
        );
    }

    #[test]
    fn compact_uses_php_array_semantics() {
        let v: Value = serde_json::from_str(
            r#"{"a":{},"b":{"0":"x","1":"y"},"c":{"1":"x"},"d":"Zürich / ✓ 😀","e":"q\"b\\c"}"#,
        )
        .unwrap();
        assert_eq!(
            to_php_compact(&v),
            r#"{"a":[],"b":["x","y"],"c":{"1":"x"},"d":"Z\u00fcrich \/ \u2713 \ud83d\ude00","e":"q\"b\\c"}"#
        );
    }
}
