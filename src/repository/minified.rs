//! The `composer/2.0` minified list format of v2 metadata files (reference §2).
//!
//! The first version is stored in full; every following one only as the keys that changed
//! against the previous *expanded* version, with the string `"__unset"` for keys that went
//! away. Nested values are never diffed: a changed `require` repeats the whole object.

use serde_json::{Map, Value};

/// The marker of a removed key.
const UNSET: &str = "__unset";

/// Expands a minified version list, exactly as `MetadataMinifier::expand` does.
pub fn expand(versions: &[Value]) -> Vec<Value> {
    let mut out = Vec::with_capacity(versions.len());
    let mut current: Option<Map<String, Value>> = None;
    for entry in versions {
        let diff = entry.as_object().cloned().unwrap_or_default();
        match &mut current {
            // PHP's `if (!$expanded)`: an empty array counts as "no version yet".
            Some(state) if !state.is_empty() => {
                for (key, value) in diff {
                    if value.as_str() == Some(UNSET) {
                        state.shift_remove(&key);
                    } else {
                        state.insert(key, value);
                    }
                }
                out.push(Value::Object(state.clone()));
            }
            _ => {
                out.push(Value::Object(diff.clone()));
                current = Some(diff);
            }
        }
    }
    out
}

/// Minifies a list of full versions so that [`expand`] gives the same versions back (as
/// maps; key order may differ). Unlike Composer's minifier, a key whose value is `null` keeps
/// that value instead of being dropped, so a mirror publishes exactly what upstream said.
pub fn minify(versions: &[Value]) -> Vec<Value> {
    let mut out = Vec::with_capacity(versions.len());
    let mut state: Map<String, Value> = Map::new();
    for version in versions {
        let full = version.as_object().cloned().unwrap_or_default();
        if state.is_empty() {
            out.push(Value::Object(full.clone()));
            state = full;
            continue;
        }
        let mut diff = Map::new();
        for (key, value) in &full {
            if state.get(key) != Some(value) {
                diff.insert(key.clone(), value.clone());
            }
        }
        for key in state.keys() {
            if !full.contains_key(key) {
                diff.insert(key.clone(), Value::String(UNSET.to_string()));
            }
        }
        out.push(Value::Object(diff));
        state = full;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The "minifier" vector of composer-test-vectors.json (produced by Composer's own
    /// MetadataMinifier), transcribed.
    #[test]
    fn expands_the_composer_vector() {
        let minified = json!([
            {"name": "acme/x", "version": "2.0.0", "require": {"php": ">=8.1", "acme/y": "^1.0"},
             "dist": {"type": "zip", "url": "https://e.test/x-2.0.0.zip", "reference": "r2", "shasum": ""},
             "extra": {"k": "v"}},
            {"version": "1.1.0",
             "dist": {"type": "zip", "url": "https://e.test/x-1.1.0.zip", "reference": "r11", "shasum": ""},
             "extra": "__unset"},
            {"version": "1.0.0", "require": {"php": ">=7.4"},
             "dist": {"type": "zip", "url": "https://e.test/x-1.0.0.zip", "reference": "r1", "shasum": ""},
             "bin": ["bin/x"]}
        ]);
        let expected = json!([
            {"name": "acme/x", "version": "2.0.0", "require": {"php": ">=8.1", "acme/y": "^1.0"},
             "dist": {"type": "zip", "url": "https://e.test/x-2.0.0.zip", "reference": "r2", "shasum": ""},
             "extra": {"k": "v"}},
            {"name": "acme/x", "version": "1.1.0", "require": {"php": ">=8.1", "acme/y": "^1.0"},
             "dist": {"type": "zip", "url": "https://e.test/x-1.1.0.zip", "reference": "r11", "shasum": ""}},
            {"name": "acme/x", "version": "1.0.0", "require": {"php": ">=7.4"},
             "dist": {"type": "zip", "url": "https://e.test/x-1.0.0.zip", "reference": "r1", "shasum": ""},
             "bin": ["bin/x"]}
        ]);
        let expanded = expand(minified.as_array().unwrap());
        assert_eq!(Value::Array(expanded.clone()), expected);
        // Key order: first appearance, removed keys gone, later additions appended.
        let keys: Vec<&str> = expanded[2]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys, ["name", "version", "require", "dist", "bin"]);
    }

    #[test]
    fn null_is_a_value_and_readded_keys_move_to_the_end() {
        let list = json!([
            {"name": "a/b", "version": "3", "type": "library", "extra": 1},
            {"version": "2", "type": "__unset", "extra": null},
            {"version": "1", "type": "metapackage"}
        ]);
        let out = expand(list.as_array().unwrap());
        assert_eq!(
            out[1],
            json!({"name": "a/b", "version": "2", "extra": null})
        );
        let keys: Vec<&str> = out[2]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys, ["name", "version", "extra", "type"]);
    }

    #[test]
    fn minify_round_trips() {
        let full = json!([
            {"name": "a/b", "version": "3", "type": "library", "extra": {"k": 1}, "dist": {"url": "u3"}},
            {"name": "a/b", "version": "2", "extra": null, "dist": {"url": "u2"}},
            {},
            {"name": "a/b", "version": "1", "type": "metapackage"}
        ]);
        let list = full.as_array().unwrap();
        let minified = minify(list);
        assert_eq!(
            minified[1],
            json!({"version": "2", "extra": null, "dist": {"url": "u2"}, "type": "__unset"})
        );
        assert_eq!(expand(&minified), *list);
    }

    #[test]
    fn an_empty_first_entry_does_not_start_the_chain() {
        let list = json!([{}, {"name": "a/b", "version": "1"}, {"version": "2"}]);
        let out = expand(list.as_array().unwrap());
        assert_eq!(out[0], json!({}));
        assert_eq!(out[1], json!({"name": "a/b", "version": "1"}));
        assert_eq!(out[2], json!({"name": "a/b", "version": "2"}));
    }
}
