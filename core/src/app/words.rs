//! The words the app shows that depend on time or state: time labels in the phone's
//! time zone, connection states, ticks. One place, so both phones say the same thing.

use chrono::{DateTime, Datelike, FixedOffset, Utc};

use super::view::{Connection, Delivery};
use crate::store::MessageStatus;

/// The phone's clock and time zone, so labels are "today" where the person is.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// Minutes east of UTC.
    pub utc_offset_minutes: i32,
    /// Now, Unix milliseconds (fixed in tests).
    pub now_ms: u64,
}

impl Clock {
    fn zone(&self) -> FixedOffset {
        FixedOffset::east_opt(self.utc_offset_minutes.clamp(-1439, 1439) * 60)
            .unwrap_or_else(|| FixedOffset::east_opt(0).expect("0 is a valid offset"))
    }

    fn local(&self, ms: u64) -> DateTime<FixedOffset> {
        let utc = DateTime::<Utc>::from_timestamp_millis(i64::try_from(ms).unwrap_or(i64::MAX))
            .unwrap_or_default();
        utc.with_timezone(&self.zone())
    }

    /// Days from `ms` to now in local calendar days (0 = today).
    fn days_ago(&self, ms: u64) -> i64 {
        let then = self.local(ms).date_naive();
        let now = self.local(self.now_ms).date_naive();
        (now - then).num_days()
    }

    /// "14:05".
    pub fn time(&self, ms: u64) -> String {
        self.local(ms).format("%H:%M").to_string()
    }

    /// For a list row: "14:05" today, "Yesterday", "Mon" this week, "3 Dec" this
    /// year, "3 Dec 2025" before.
    pub fn short_label(&self, ms: u64) -> String {
        let then = self.local(ms);
        match self.days_ago(ms) {
            i64::MIN..=0 => self.time(ms),
            1 => "Yesterday".into(),
            2..=6 => then.format("%a").to_string(),
            _ if then.year() == self.local(self.now_ms).year() => then.format("%-d %b").to_string(),
            _ => then.format("%-d %b %Y").to_string(),
        }
    }

    /// For a day separator: "Today", "Yesterday", "Monday 30 November", with the
    /// year when it is not this year.
    pub fn day_label(&self, ms: u64) -> String {
        let then = self.local(ms);
        match self.days_ago(ms) {
            i64::MIN..=0 => "Today".into(),
            1 => "Yesterday".into(),
            _ if then.year() == self.local(self.now_ms).year() => {
                then.format("%A %-d %B").to_string()
            }
            _ => then.format("%A %-d %B %Y").to_string(),
        }
    }

    /// The local calendar day of `ms`, to group messages.
    pub fn day_key(&self, ms: u64) -> String {
        self.local(ms).format("%Y-%m-%d").to_string()
    }

    /// "Expires today at 14:05", "Expires tomorrow at 09:00", "Expired".
    pub fn expiry(&self, expires_at_secs: u64) -> String {
        let ms = expires_at_secs.saturating_mul(1000);
        if ms <= self.now_ms {
            return "Expired".into();
        }
        let when = self.time(ms);
        match -self.days_ago(ms) {
            i64::MIN..=0 => format!("Expires today at {when}"),
            1 => format!("Expires tomorrow at {when}"),
            _ => format!("Expires {} at {when}", self.local(ms).format("%A %-d %B")),
        }
    }
}

/// A connection state in words for a list row or a subtitle.
pub fn connection_status(connection: Connection, queued: u64) -> String {
    let waiting = match queued {
        0 => String::new(),
        1 => " · 1 message waiting".into(),
        n => format!(" · {n} messages waiting"),
    };
    match connection {
        Connection::Connecting => format!("connecting…{waiting}"),
        Connection::Connected => format!("connected{waiting}"),
        Connection::Reconnecting => format!("reconnecting…{waiting}"),
        Connection::Offline => format!("offline{waiting}"),
        Connection::Waiting => "waiting for the other person".into(),
        Connection::Ended => "conversation ended".into(),
    }
}

/// A stored message's ticks.
pub fn delivery(outgoing: bool, status: MessageStatus) -> Delivery {
    if !outgoing {
        return Delivery::Incoming;
    }
    match status {
        MessageStatus::Queued => Delivery::Queued,
        MessageStatus::Sent => Delivery::Sent,
        MessageStatus::Delivered => Delivery::Delivered,
        MessageStatus::Read | MessageStatus::Received => Delivery::Read,
    }
}

/// The ticks in words, for screen readers.
pub fn delivery_label(d: Delivery) -> String {
    match d {
        Delivery::Queued => "Waiting to be sent",
        Delivery::Sent => "Sent",
        Delivery::Delivered => "Delivered",
        Delivery::Read => "Read",
        Delivery::Incoming => "",
    }
    .into()
}

/// A message shortened for a list row: one line, at most `max` characters.
pub fn preview(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// A size as people write it: "999 B", "1.5 KB", "4.2 MB" (powers of 1000, as the
/// phones' own file managers show them).
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Groups a safety number's digits in fives, as people read them aloud.
pub fn group_digits(digits: &str) -> String {
    let d: Vec<char> = digits.chars().filter(char::is_ascii_digit).collect();
    d.chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A name to put in a sentence, or what to say when there is none.
fn or_someone(name: Option<&str>, fallback: &str) -> String {
    name.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| fallback.to_owned())
}

/// Words for an introduction made to the person: its row's title and detail.
pub fn introduction_row(
    introducer: Option<&str>,
    name: Option<&str>,
    stage: super::view::IntroductionStage,
    expiry: &str,
) -> (String, String) {
    use super::view::IntroductionStage as S;
    let introducer = or_someone(introducer, "A contact");
    let name = or_someone(name, "someone");
    let title = format!("{introducer} introduces {name}");
    let detail = match stage {
        S::NeedsAnswer => format!(
            "Accept to talk with {name} directly, no codes needed. {name} is asked too. \
             {expiry}"
        ),
        S::WaitingForOther => format!("You accepted. Waiting for {name} to accept · {expiry}"),
        S::Connecting => format!("You both accepted. Connecting to {name}…"),
    };
    (title, detail)
}

/// The contact screen's line for an introduced contact not verified yet.
pub fn introduced_by(introducer: Option<&str>, name: &str) -> String {
    let introducer = or_someone(introducer, "a contact");
    format!(
        "Introduced by {introducer} · not verified — compare safety numbers to be sure this \
         is really {name}"
    )
}

/// One side's answer to an introduction the person made, in words.
pub fn intro_answer(name: &str, answer: crate::store::IntroAnswer) -> String {
    match answer {
        crate::store::IntroAnswer::Waiting => format!("{name} has not answered yet"),
        crate::store::IntroAnswer::Accepted => format!("{name} accepted"),
        crate::store::IntroAnswer::Declined => format!("{name} declined"),
    }
}

/// The notice after the person introduced two contacts.
pub fn introduced(first: &str, second: &str) -> String {
    format!(
        "You introduced {first} and {second}. Each is asked; if both accept, their phones \
         connect directly. You never see their messages or how to reach them."
    )
}

/// The picker's explanation.
pub fn introduce_explanation(name: &str) -> String {
    format!(
        "Pick who should meet {name}. Both are asked first; if both accept, their phones \
         connect directly with no codes to send. You only pass on sealed details: you will \
         not see how to reach them or what they say."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-03 10:00 UTC.
    const NOW: u64 = 1_796_292_000_000;
    const HOUR: u64 = 3_600_000;

    fn clock(offset: i32) -> Clock {
        Clock {
            utc_offset_minutes: offset,
            now_ms: NOW,
        }
    }

    #[test]
    fn labels_follow_the_local_calendar() {
        let c = clock(0);
        assert_eq!(c.short_label(NOW - HOUR), "09:00");
        assert_eq!(c.short_label(NOW - 12 * HOUR), "Yesterday");
        assert_eq!(c.short_label(NOW - 72 * HOUR), "Mon");
        assert_eq!(c.short_label(NOW - 30 * 24 * HOUR), "3 Nov");
        assert_eq!(c.short_label(NOW - 400 * 24 * HOUR), "29 Oct 2025");
        assert_eq!(c.day_label(NOW), "Today");
        assert_eq!(c.day_label(NOW - 72 * HOUR), "Monday 30 November");
        // 22:00 UTC yesterday is already today in UTC+3.
        assert_eq!(clock(180).short_label(NOW - 12 * HOUR), "01:00");
    }

    #[test]
    fn sizes_read_like_a_file_manager_writes_them() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(999), "999 B");
        assert_eq!(size(1500), "1.5 KB");
        assert_eq!(size(4_200_000), "4.2 MB");
        // Never "1000.0 KB": rounding up moves to the next unit.
        assert_eq!(size(999_999), "1.0 MB");
        assert_eq!(size(3_000_000_000), "3.0 GB");
    }

    #[test]
    fn expiry_reads_as_a_deadline() {
        let c = clock(0);
        assert_eq!(c.expiry(NOW / 1000 + 3600), "Expires today at 11:00");
        assert_eq!(
            c.expiry(NOW / 1000 + 24 * 3600),
            "Expires tomorrow at 10:00"
        );
        assert_eq!(c.expiry(NOW / 1000 - 1), "Expired");
    }

    #[test]
    fn words_for_states_previews_and_numbers() {
        assert_eq!(
            connection_status(Connection::Offline, 2),
            "offline · 2 messages waiting"
        );
        assert_eq!(connection_status(Connection::Connected, 0), "connected");
        assert_eq!(preview("a\nb   c", 10), "a b c");
        assert_eq!(preview("abcdefghijkl", 5), "abcd…");
        assert_eq!(group_digits("1234567890123"), "12345 67890 123");
        assert_eq!(
            delivery(true, MessageStatus::Delivered),
            Delivery::Delivered
        );
        assert_eq!(delivery(false, MessageStatus::Read), Delivery::Incoming);
    }
}
