//! One request budget for every group the tail follows, and backoff with
//! jitter when AWS throttles.
//!
//! CloudWatch Logs allows `FilterLogEvents` a few transactions per second
//! per account and region (Service Quotas), shared with every other client
//! of the account. The tail keeps to about 4 requests a second across all
//! its groups (a token bucket), and when AWS answers `ThrottlingException`
//! anyway, every group waits: exponential backoff with "equal jitter" (half
//! the delay fixed, half random; AWS Architecture Blog, "Exponential Backoff
//! And Jitter"), so followers do not retry in lockstep. Throttling never
//! stops the tail; the next success resets the backoff.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Requests per second when nothing else is said.
pub const DEFAULT_RATE: f64 = 4.0;

/// Exponential backoff: `base · 2^attempt`, at most `cap`, with equal jitter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Backoff {
    /// For throttling: from half a second to half a minute.
    pub const THROTTLED: Backoff = Backoff {
        base: Duration::from_millis(500),
        cap: Duration::from_secs(30),
    };
    /// For network and other errors: from a second to a minute.
    pub const ERROR: Backoff = Backoff {
        base: Duration::from_secs(1),
        cap: Duration::from_secs(60),
    };

    /// The delay before retry number `attempt` (0 for the first), with
    /// `jitter` in `[0, 1)`: between half the exponential delay and all of it.
    pub fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.min(20)))
            .min(self.cap);
        let half = exp / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

#[derive(Debug)]
struct BudgetState {
    tokens: f64,
    last: Instant,
    /// No request before this (everyone backs off after a throttle).
    blocked_until: Option<Instant>,
    /// Throttles since the last success.
    throttles: u32,
}

/// A token bucket shared by every follower of one tail.
#[derive(Debug)]
pub struct RequestBudget {
    rate: f64,
    burst: f64,
    state: Mutex<BudgetState>,
}

impl RequestBudget {
    /// `rate` requests a second on average, up to `burst` at once.
    pub fn new(rate: f64, burst: f64) -> RequestBudget {
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            DEFAULT_RATE
        };
        let burst = burst.max(1.0);
        RequestBudget {
            rate,
            burst,
            state: Mutex::new(BudgetState {
                tokens: burst,
                last: Instant::now(),
                blocked_until: None,
                throttles: 0,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, BudgetState> {
        match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        }
    }

    /// Take one request from the budget, or how long to wait for one.
    fn try_take(&self, now: Instant) -> Result<(), Duration> {
        let mut s = self.state();
        if let Some(until) = s.blocked_until {
            if now < until {
                return Err(until - now);
            }
            s.blocked_until = None;
        }
        let elapsed = now.saturating_duration_since(s.last).as_secs_f64();
        s.tokens = (s.tokens + elapsed * self.rate).min(self.burst);
        s.last = now;
        if s.tokens >= 1.0 {
            s.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - s.tokens) / self.rate))
        }
    }

    /// Wait for a request slot.
    pub async fn acquire(&self) {
        while let Err(wait) = self.try_take(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
    }

    /// AWS throttled a request: everyone waits the returned delay, which
    /// grows with each throttle in a row. `jitter` in `[0, 1)`.
    pub fn throttled(&self, jitter: f64) -> Duration {
        let mut s = self.state();
        let delay = Backoff::THROTTLED.delay(s.throttles, jitter);
        s.throttles = s.throttles.saturating_add(1);
        let until = Instant::now() + delay;
        s.blocked_until = Some(s.blocked_until.map_or(until, |u| u.max(until)));
        delay
    }

    /// A request went through: the next throttle starts the backoff afresh.
    pub fn succeeded(&self) {
        self.state().throttles = 0;
    }
}

/// A jitter value in `[0, 1)`.
pub fn jitter() -> f64 {
    fastrand::f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_equal_jitter() {
        let b = Backoff::THROTTLED;
        assert_eq!(b.delay(0, 0.0), Duration::from_millis(250));
        assert_eq!(b.delay(0, 0.5), Duration::from_millis(375));
        assert!(b.delay(0, 0.999_999) < Duration::from_millis(500));
        assert_eq!(b.delay(1, 0.0), Duration::from_millis(500));
        assert_eq!(b.delay(3, 1.0), Duration::from_secs(4));
        assert_eq!(b.delay(30, 1.0), Duration::from_secs(30));
        assert_eq!(b.delay(30, 0.0), Duration::from_secs(15));
        assert_eq!(b.delay(u32::MAX, 0.5), Duration::from_millis(22_500));
    }

    #[tokio::test(start_paused = true)]
    async fn the_budget_paces_requests_at_its_rate_after_the_burst() {
        let budget = RequestBudget::new(4.0, 2.0);
        let start = Instant::now();
        for _ in 0..10 {
            budget.acquire().await;
        }
        // 2 at once, then 8 more at 4 a second
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttle_blocks_everyone_and_grows_until_a_success() {
        let budget = RequestBudget::new(100.0, 100.0);
        let first = budget.throttled(0.0);
        let second = budget.throttled(0.0);
        assert_eq!(
            (first, second),
            (Duration::from_millis(250), Duration::from_millis(500))
        );
        let start = Instant::now();
        budget.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(500));
        budget.succeeded();
        assert_eq!(budget.throttled(0.0), Duration::from_millis(250));
    }
}
