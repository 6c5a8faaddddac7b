//! Small JSON documents (repository metadata), fetched into memory.
//!
//! Unlike archives, metadata is revalidated on every run: the caller passes the
//! `last-modified` value it stored with its cached copy, which is sent as `If-Modified-Since`,
//! and a `304 Not Modified` comes back as [`Metadata::NotModified`]. Bodies are decoded from
//! gzip both when the server says so (`Content-Encoding: gzip`, handled by the client) and when
//! it does not but the bytes are a gzip stream anyway (repo.magento.com sends its per-package
//! files compressed whatever the request asked for).

use std::io::Read;

use reqwest::header;
use reqwest::StatusCode;

use super::fetch::{classify_status, describe_reqwest, header_text, parse_url, Attempt, Reason};
use super::{FetchError, HttpClient};
use crate::redact::SafeUrl;

/// The answer to a metadata request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Metadata {
    /// `304`: the cached copy is current.
    NotModified,
    /// `200`: the (decompressed) body and its `Last-Modified` header, if any.
    Body {
        bytes: Vec<u8>,
        last_modified: Option<String>,
    },
}

impl HttpClient {
    /// GETs a metadata file, conditionally when `if_modified_since` is given. Retries like an
    /// archive download (5xx, 429, resets); 401, 403 and 404 are errors at once.
    pub async fn get_metadata(
        &self,
        url: &SafeUrl,
        if_modified_since: Option<&str>,
    ) -> Result<Metadata, FetchError> {
        let parsed = parse_url(url)?;
        self.check_allowed(url, &parsed)?;
        let policy = &self.settings.retry;
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            match self.metadata_attempt(url, &parsed, if_modified_since).await {
                Ok(m) => return Ok(m),
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry { reason, wait }) => {
                    if attempts >= policy.max_attempts {
                        return Err(reason.into_error(url, attempts));
                    }
                    tokio::time::sleep(wait.unwrap_or_else(|| policy.delay(attempts))).await;
                }
            }
        }
    }

    async fn metadata_attempt(
        &self,
        url: &SafeUrl,
        parsed: &reqwest::Url,
        if_modified_since: Option<&str>,
    ) -> Result<Metadata, Attempt> {
        let since = if_modified_since.map(str::to_string);
        let prepare = move |request: reqwest::RequestBuilder| match &since {
            Some(v) => request.header(header::IF_MODIFIED_SINCE, v.as_str()),
            None => request,
        };
        let (response, sent_auth) = self.send_following_redirects(url, parsed, &prepare).await?;
        let status = response.status();
        let headers = response.headers().clone();
        match status {
            StatusCode::NOT_MODIFIED => Ok(Metadata::NotModified),
            StatusCode::OK => {
                let last_modified = header_text(&headers, header::LAST_MODIFIED);
                let body = response.bytes().await.map_err(|e| Attempt::Retry {
                    reason: Reason::Transport(describe_reqwest(&e)),
                    wait: None,
                })?;
                let bytes = gunzip_if_compressed(&body).map_err(|detail| Attempt::Retry {
                    reason: Reason::Message(detail),
                    wait: None,
                })?;
                Ok(Metadata::Body {
                    bytes,
                    last_modified,
                })
            }
            other => Err(classify_status(url, other, &headers, response, sent_auth).await),
        }
    }
}

/// Decompresses a body that is a gzip stream (magic bytes `1f 8b`; no JSON text starts so);
/// anything else is returned as it is.
pub fn gunzip_if_compressed(body: &[u8]) -> Result<Vec<u8>, String> {
    if !body.starts_with(&[0x1f, 0x8b]) {
        return Ok(body.to_vec());
    }
    let mut out = Vec::with_capacity(body.len() * 4);
    flate2::read::MultiGzDecoder::new(body)
        .read_to_end(&mut out)
        .map_err(|e| format!("the gzip-compressed body could not be decompressed: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzip_bodies_are_sniffed() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(br#"{"packages":[]}"#).unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(gunzip_if_compressed(&gz).unwrap(), br#"{"packages":[]}"#);
        assert_eq!(gunzip_if_compressed(b"{}").unwrap(), b"{}");
        assert!(gunzip_if_compressed(&[0x1f, 0x8b, 0, 1]).is_err());
    }
}
