//! The lock's `content-hash`: md5 of the PHP `json_encode` (flags 0) of the composer.json keys
//! that influence resolution, sorted by key; `config.platform` is included when present.

use crate::md5::Md5;
use serde_json::{Map, Value};

use super::json::to_php_compact;

const RELEVANT_KEYS: [&str; 11] = [
    "name",
    "version",
    "require",
    "require-dev",
    "conflict",
    "replace",
    "provide",
    "minimum-stability",
    "prefer-stable",
    "repositories",
    "extra",
];

/// Content-hash of a decoded composer.json (decoded with key order preserved).
pub fn content_hash(composer_json: &Value) -> String {
    let mut subset: Vec<(String, Value)> = Vec::new();
    if let Value::Object(root) = composer_json {
        for key in RELEVANT_KEYS {
            if let Some(v) = root.get(key) {
                subset.push((key.to_string(), v.clone()));
            }
        }
        if let Some(platform) = root
            .get("config")
            .and_then(Value::as_object)
            .and_then(|c| c.get("platform"))
        {
            let mut config = Map::new();
            config.insert("platform".to_string(), platform.clone());
            subset.push(("config".to_string(), Value::Object(config)));
        }
    }
    subset.sort_by(|a, b| a.0.cmp(&b.0));
    let object: Map<String, Value> = subset.into_iter().collect();
    let encoded = to_php_compact(&Value::Object(object));
    Md5::hex(encoded.as_bytes())
}

/// Hash used by old locks that carry `hash` instead of `content-hash`: md5 of the file bytes.
pub fn legacy_hash(composer_json_bytes: &[u8]) -> String {
    Md5::hex(composer_json_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(text: &str) -> String {
        content_hash(&serde_json::from_str(text).unwrap())
    }

    // Values computed by Composer 2.5.5 (reference §10.3).
    #[test]
    fn matches_composer() {
        assert_eq!(
            hash(r#"{"require":{"acme/x":"^1.0"}}"#),
            "dc57278929edeb5a3a6f9c184ba866d2"
        );
        assert_eq!(
            hash(
                r#"{"name":"a/b","description":"d","require":{},"extra":{"url":"https://x/y"},
                "config":{"platform":{"php":"8.2.0"},"sort-packages":true}}"#
            ),
            "16c37a9a0c84bffed17880b5c0d26f12"
        );
        assert_eq!(
            hash(
                r#"{"require":{"magento/product-community-edition":"2.4.7-p3"},
                "repositories":{"repo":{"type":"composer","url":"https://repo.magento.com/"}},
                "minimum-stability":"stable","prefer-stable":true,
                "extra":{"magento-force":"override","n":"é"}}"#
            ),
            "e0e5bdad3e6e7a96ec877f0fa5b1323d"
        );
    }
}
