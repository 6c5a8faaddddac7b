//! Which failures are worth another try, and how long to wait.
//!
//! Retried: connection failures and resets, idle timeouts, bodies cut short, and the statuses
//! 423, 425, 429, 500, 502, 503, 504, 507 and 510. Never retried: 401, 403, 404 and other
//! client errors, which another try cannot fix. Back-off doubles from `base_delay` with jitter,
//! capped at `max_delay`; a 429's `Retry-After` is honoured (capped at `max_retry_after`).

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts that make no progress before giving up.
    pub max_attempts: u32,
    /// Hard cap on attempts for one file, progress or not.
    pub max_total_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            max_total_attempts: 30,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Delay before retry number `attempt` (1-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(10);
        let base = self.base_delay.saturating_mul(factor).min(self.max_delay);
        base + jitter(base / 4)
    }

    /// A `Retry-After` value (seconds, or an HTTP date treated as "a while"), capped; scaled to
    /// the base delay so that tests with a tiny base delay do not sleep for seconds.
    pub fn retry_after(&self, header: Option<&str>) -> Duration {
        let default = self.delay(1);
        let Some(value) = header else { return default };
        let wanted = match value.trim().parse::<u64>() {
            Ok(secs) => Duration::from_secs(secs),
            Err(_) => Duration::from_secs(5),
        };
        let scale = self.base_delay.as_secs_f64() / RetryPolicy::default().base_delay.as_secs_f64();
        wanted.mul_f64(scale.min(1.0)).min(self.max_retry_after)
    }
}

/// HTTP statuses that another attempt may fix.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 423 | 425 | 429 | 500 | 502 | 503 | 504 | 507 | 510)
}

fn jitter(max: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let max_ms = max.as_millis() as u64;
    if max_ms == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(u64::from(nanos) % max_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        let retried: Vec<u16> = (400..600).filter(|s| is_retryable_status(*s)).collect();
        assert_eq!(retried, vec![423, 425, 429, 500, 502, 503, 504, 507, 510]);
    }

    #[test]
    fn delays_grow_and_cap() {
        let p = RetryPolicy::default();
        assert!(p.delay(1) >= Duration::from_millis(500));
        assert!(p.delay(2) >= Duration::from_millis(1000));
        assert!(p.delay(30) <= Duration::from_millis(12_500));
        assert_eq!(p.retry_after(Some("2")), Duration::from_secs(2));
        assert_eq!(p.retry_after(Some("3600")), Duration::from_secs(60));
    }
}
