//! Introductions as the database keeps them (issue #15): the ones this device was
//! asked to accept, the ones it made, and the control frames that must reach a peer.
//!
//! Introduction rows are written with `synchronous = FULL` like messages: an answer
//! the person gave must not be lost to a power cut, or the other side would wait for
//! it until the introduction expires.

use rusqlite::{params, OptionalExtension, Row};

use super::{Store, StoreError};

/// Where an introduction this device was asked to accept stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntroState {
    /// Waiting for the person's answer.
    Offered,
    /// The person accepted; waiting for the other side's answer.
    Accepted,
    /// Declined, by the person or the other side (see the reason).
    Declined,
    /// Both accepted: the conversation is being connected.
    Connecting,
    /// The first connection was made: a contact.
    Connected,
    /// Nobody finished in time.
    Expired,
    /// The other side's details could not be used (see the reason).
    Failed,
}

impl IntroState {
    fn as_str(self) -> &'static str {
        match self {
            IntroState::Offered => "offered",
            IntroState::Accepted => "accepted",
            IntroState::Declined => "declined",
            IntroState::Connecting => "connecting",
            IntroState::Connected => "connected",
            IntroState::Expired => "expired",
            IntroState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "offered" => IntroState::Offered,
            "accepted" => IntroState::Accepted,
            "declined" => IntroState::Declined,
            "connecting" => IntroState::Connecting,
            "connected" => IntroState::Connected,
            "expired" => IntroState::Expired,
            "failed" => IntroState::Failed,
            other => return Err(StoreError::Corrupt(format!("introduction state {other:?}"))),
        })
    }

    /// Still waiting on someone's answer (counts against the pending limits).
    pub fn is_pending(self) -> bool {
        matches!(self, IntroState::Offered | IntroState::Accepted)
    }
}

/// An introduction this device was asked to accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroRecord {
    /// The introduction's id, also the conversation it makes.
    pub id: String,
    /// The conversation with the introducer it came through.
    pub via: String,
    /// The identity key of the person introduced, as the introducer gave it.
    pub peer_key: [u8; 32],
    /// Their name, as the introducer knows it.
    pub peer_name: Option<String>,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds.
    pub expires_at: u64,
    /// Where it stands.
    pub state: IntroState,
    /// The other side's sealed card, once it arrived and until it is used.
    pub peer_card: Option<Vec<u8>>,
    /// Why it was declined or failed, in words.
    pub reason: Option<String>,
}

/// One side's answer to an introduction this device made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntroAnswer {
    /// Not answered yet.
    Waiting,
    /// Accepted (a sealed card was forwarded).
    Accepted,
    /// Declined.
    Declined,
}

impl IntroAnswer {
    fn as_str(self) -> &'static str {
        match self {
            IntroAnswer::Waiting => "waiting",
            IntroAnswer::Accepted => "accepted",
            IntroAnswer::Declined => "declined",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "waiting" => IntroAnswer::Waiting,
            "accepted" => IntroAnswer::Accepted,
            "declined" => IntroAnswer::Declined,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "introduction answer {other:?}"
                )))
            }
        })
    }
}

/// What an introducer knows of one side's answer: that it came, when, how big.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerSeen {
    /// The answer.
    pub answer: IntroAnswer,
    /// Unix seconds, once answered.
    pub at: Option<u64>,
    /// Size of the sealed card forwarded, if any.
    pub bytes: Option<u64>,
}

impl AnswerSeen {
    /// Not answered yet.
    pub const WAITING: AnswerSeen = AnswerSeen {
        answer: IntroAnswer::Waiting,
        at: None,
        bytes: None,
    };
}

/// An introduction this device made between two of its conversations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeIntroRecord {
    /// Its id.
    pub id: String,
    /// The two conversations, in the order given.
    pub sides: [String; 2],
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds.
    pub expires_at: u64,
    /// Each side's answer, same order.
    pub answers: [AnswerSeen; 2],
}

const INTRO_COLUMNS: &str =
    "id, via, peer_key, peer_name, created_at, expires_at, state, peer_card, reason";

fn intro_row(r: &Row<'_>) -> rusqlite::Result<Result<IntroRecord, StoreError>> {
    let key: Vec<u8> = r.get(2)?;
    let state: String = r.get(6)?;
    Ok((|| {
        Ok(IntroRecord {
            id: r.get(0)?,
            via: r.get(1)?,
            peer_key: key
                .try_into()
                .map_err(|_| StoreError::Corrupt("an introduced key is not 32 bytes".into()))?,
            peer_name: r.get(3)?,
            created_at: r.get::<_, i64>(4)?.max(0) as u64,
            expires_at: r.get::<_, i64>(5)?.max(0) as u64,
            state: IntroState::parse(&state)?,
            peer_card: r.get(7)?,
            reason: r.get(8)?,
        })
    })())
}

const MADE_COLUMNS: &str = "id, first, second, created_at, expires_at, first_answer, \
     second_answer, first_answered_at, second_answered_at, first_bytes, second_bytes";

fn made_row(r: &Row<'_>) -> rusqlite::Result<Result<MadeIntroRecord, StoreError>> {
    let seen = |answer: usize, at: usize, bytes: usize| -> rusqlite::Result<_> {
        let answer: String = r.get(answer)?;
        let at: Option<i64> = r.get(at)?;
        let bytes: Option<i64> = r.get(bytes)?;
        Ok((answer, at, bytes))
    };
    let first = seen(5, 7, 9)?;
    let second = seen(6, 8, 10)?;
    let (id, a, b): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
    let created_at = r.get::<_, i64>(3)?.max(0) as u64;
    let expires_at = r.get::<_, i64>(4)?.max(0) as u64;
    Ok((|| {
        let finish = |(answer, at, bytes): (String, Option<i64>, Option<i64>)| {
            Ok::<_, StoreError>(AnswerSeen {
                answer: IntroAnswer::parse(&answer)?,
                at: at.map(|v| v.max(0) as u64),
                bytes: bytes.map(|v| v.max(0) as u64),
            })
        };
        Ok(MadeIntroRecord {
            id,
            sides: [a, b],
            created_at,
            expires_at,
            answers: [finish(first)?, finish(second)?],
        })
    })())
}

fn collect<T>(
    rows: impl Iterator<Item = rusqlite::Result<Result<T, StoreError>>>,
) -> Result<Vec<T>, StoreError> {
    rows.map(|r| r.map_err(StoreError::from).and_then(|inner| inner))
        .collect()
}

fn secs(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Store {
    /// Keeps an introduction offered to us; `false` when it was already kept (the
    /// introducer sent it again).
    pub fn add_introduction(&mut self, r: &IntroRecord) -> Result<bool, StoreError> {
        let added = self.conn.execute(
            "INSERT OR IGNORE INTO introductions
                (id, via, peer_key, peer_name, created_at, expires_at, state, peer_card, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                r.id,
                r.via,
                r.peer_key.to_vec(),
                r.peer_name,
                secs(r.created_at),
                secs(r.expires_at),
                r.state.as_str(),
                r.peer_card,
                r.reason
            ],
        )?;
        Ok(added == 1)
    }

    /// One introduction offered to us.
    pub fn introduction(&self, id: &str) -> Result<Option<IntroRecord>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {INTRO_COLUMNS} FROM introductions WHERE id = ?1"),
                params![id],
                intro_row,
            )
            .optional()?
            .transpose()
    }

    /// Every introduction offered to us, newest first.
    pub fn introductions(&self) -> Result<Vec<IntroRecord>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {INTRO_COLUMNS} FROM introductions ORDER BY created_at DESC, id"
        ))?;
        let rows = stmt.query_map([], intro_row)?;
        collect(rows)
    }

    /// How many introductions wait on an answer: those through `via`, and in all.
    pub fn pending_introductions(&self, via: &str) -> Result<(usize, usize), StoreError> {
        let (through, all): (i64, i64) = self.conn.query_row(
            "SELECT COALESCE(SUM(via = ?1), 0), COUNT(*) FROM introductions
             WHERE state IN ('offered', 'accepted')",
            params![via],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((through.max(0) as usize, all.max(0) as usize))
    }

    /// Moves an introduction to `state`, with a reason when it ended badly.
    pub fn set_introduction_state(
        &mut self,
        id: &str,
        state: IntroState,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE introductions SET state = ?2, reason = COALESCE(?3, reason) WHERE id = ?1",
            params![id, state.as_str(), reason],
        )?;
        Ok(())
    }

    /// Keeps (or, once used, forgets) the other side's sealed card.
    pub fn set_introduction_card(
        &mut self,
        id: &str,
        card: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE introductions SET peer_card = ?2 WHERE id = ?1",
            params![id, card],
        )?;
        Ok(())
    }

    /// Marks every introduction still waiting past its expiry as expired; returns
    /// their ids.
    pub fn expire_introductions(&mut self, now: u64) -> Result<Vec<String>, StoreError> {
        let tx = self.conn.transaction()?;
        let ids = {
            let mut stmt = tx.prepare(
                "SELECT id FROM introductions
                 WHERE state IN ('offered', 'accepted') AND expires_at <= ?1",
            )?;
            let rows = stmt.query_map(params![secs(now)], |r| r.get::<_, String>(0))?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        tx.execute(
            "UPDATE introductions SET state = 'expired', peer_card = NULL
             WHERE state IN ('offered', 'accepted') AND expires_at <= ?1",
            params![secs(now)],
        )?;
        tx.execute(
            "DELETE FROM control_outbox WHERE expires_at <= ?1",
            params![secs(now)],
        )?;
        tx.commit()?;
        Ok(ids)
    }

    /// Keeps an introduction we made and, in the same transaction, queues its `intro`
    /// frame for each side (`frames[i]` for `r.sides[i]`).
    pub fn add_made_introduction(
        &mut self,
        r: &MadeIntroRecord,
        frames: [&str; 2],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO introductions_made (id, first, second, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                r.id,
                r.sides[0],
                r.sides[1],
                secs(r.created_at),
                secs(r.expires_at)
            ],
        )?;
        for (side, frame) in r.sides.iter().zip(frames) {
            tx.execute(
                "INSERT OR REPLACE INTO control_outbox (conversation_id, key, frame, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![side, format!("intro:{}", r.id), frame, secs(r.expires_at)],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// One introduction we made.
    pub fn made_introduction(&self, id: &str) -> Result<Option<MadeIntroRecord>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {MADE_COLUMNS} FROM introductions_made WHERE id = ?1"),
                params![id],
                made_row,
            )
            .optional()?
            .transpose()
    }

    /// Every introduction we made, newest first.
    pub fn made_introductions(&self) -> Result<Vec<MadeIntroRecord>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {MADE_COLUMNS} FROM introductions_made ORDER BY created_at DESC, id"
        ))?;
        let rows = stmt.query_map([], made_row)?;
        collect(rows)
    }

    /// Records the answer that came through `side` (one of the two conversations).
    /// Returns the other conversation when this is the first answer from that side,
    /// `None` for a repeat or a conversation that is not part of it.
    pub fn record_introduction_answer(
        &mut self,
        id: &str,
        side: &str,
        answer: IntroAnswer,
        at: u64,
        bytes: Option<u64>,
    ) -> Result<Option<String>, StoreError> {
        let Some(made) = self.made_introduction(id)? else {
            return Ok(None);
        };
        let (index, other) = if made.sides[0] == side {
            (0, &made.sides[1])
        } else if made.sides[1] == side {
            (1, &made.sides[0])
        } else {
            return Ok(None);
        };
        if made.answers[index].answer != IntroAnswer::Waiting {
            return Ok(None);
        }
        let prefix = if index == 0 { "first" } else { "second" };
        self.conn.execute(
            &format!(
                "UPDATE introductions_made SET {prefix}_answer = ?2, {prefix}_answered_at = ?3,
                 {prefix}_bytes = ?4 WHERE id = ?1"
            ),
            params![
                id,
                answer.as_str(),
                secs(at),
                bytes.map(|b| i64::try_from(b).unwrap_or(i64::MAX))
            ],
        )?;
        Ok(Some(other.clone()))
    }

    /// Queues a protocol frame for `conversation` under `key` (replacing one with the
    /// same key); it is sent on every connection until the peer answers `ok`.
    pub fn queue_control(
        &mut self,
        conversation: &str,
        key: &str,
        frame: &str,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO control_outbox (conversation_id, key, frame, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![conversation, key, frame, secs(expires_at)],
        )?;
        Ok(())
    }

    /// The frames waiting for `conversation` that have not expired, oldest first.
    pub fn control_outbox(
        &self,
        conversation: &str,
        now: u64,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, frame FROM control_outbox
             WHERE conversation_id = ?1 AND expires_at > ?2 ORDER BY rowid",
        )?;
        let rows = stmt.query_map(params![conversation, secs(now)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// How many queued frames (any conversation) have not reached their peer yet.
    pub fn control_waiting(&self, now: u64) -> Result<usize, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM control_outbox WHERE expires_at > ?1",
            params![secs(now)],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as usize)
    }

    /// The conversations with frames still queued for them.
    pub fn control_targets(&self, now: u64) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT conversation_id FROM control_outbox WHERE expires_at > ?1")?;
        let rows = stmt.query_map(params![secs(now)], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The peer has the frame queued under `key`.
    pub fn control_done(&mut self, conversation: &str, key: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM control_outbox WHERE conversation_id = ?1 AND key = ?2",
            params![conversation, key],
        )?;
        Ok(())
    }

    /// Notes who introduced a contact (shown until the safety number is compared).
    pub fn set_introduced_by(&mut self, contact: &str, introducer: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE contacts SET introduced_by = ?2 WHERE id = ?1",
            params![contact, introducer],
        )?;
        Ok(())
    }

    /// The contact a conversation is with, if its first connection was made.
    pub fn conversation_contact(&self, conversation: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT contact_id FROM conversations WHERE id = ?1",
                params![conversation],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// The open conversation with the contact holding `key`, if there is one.
    pub fn conversation_with_key(&self, key: &[u8; 32]) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id
                 WHERE k.identity_key = ?1 AND c.closed = 0 ORDER BY c.created_at DESC",
                params![key.to_vec()],
                |r| r.get(0),
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protect::keys::Role;
    use crate::store::ConversationRecord;

    fn store_with(conversations: &[&str]) -> Store {
        let store = Store::in_memory().unwrap();
        for id in conversations {
            store
                .add_conversation(&ConversationRecord {
                    id: (*id).into(),
                    role: Role::Inviter,
                    contact: None,
                    created_at: 1,
                    remote_sdp: String::new(),
                    local_port: None,
                    closed: false,
                })
                .unwrap();
        }
        store
    }

    fn offered(id: &str, via: &str, expires_at: u64) -> IntroRecord {
        IntroRecord {
            id: id.into(),
            via: via.into(),
            peer_key: [7; 32],
            peer_name: Some("Cleo".into()),
            created_at: 10,
            expires_at,
            state: IntroState::Offered,
            peer_card: None,
            reason: None,
        }
    }

    #[test]
    fn an_introduction_is_kept_once_counted_and_expires() {
        let mut store = store_with(&["ana", "dan"]);
        assert!(store.add_introduction(&offered("i1", "ana", 100)).unwrap());
        assert!(!store.add_introduction(&offered("i1", "ana", 100)).unwrap());
        store.add_introduction(&offered("i2", "ana", 500)).unwrap();
        store.add_introduction(&offered("i3", "dan", 500)).unwrap();
        assert_eq!(store.pending_introductions("ana").unwrap(), (2, 3));
        store
            .set_introduction_state("i2", IntroState::Declined, Some("no"))
            .unwrap();
        assert_eq!(store.pending_introductions("ana").unwrap(), (1, 2));
        assert_eq!(store.expire_introductions(100).unwrap(), vec!["i1"]);
        let i1 = store.introduction("i1").unwrap().unwrap();
        assert_eq!(i1.state, IntroState::Expired);
        assert_eq!(
            store.introduction("i2").unwrap().unwrap().reason.as_deref(),
            Some("no")
        );
        assert_eq!(store.introductions().unwrap().len(), 3);
    }

    #[test]
    fn an_introducer_records_each_answer_once() {
        let mut store = store_with(&["ben", "cleo", "dan"]);
        store
            .add_made_introduction(
                &MadeIntroRecord {
                    id: "i".into(),
                    sides: ["ben".into(), "cleo".into()],
                    created_at: 1,
                    expires_at: 100,
                    answers: [AnswerSeen::WAITING; 2],
                },
                ["{b}", "{c}"],
            )
            .unwrap();
        assert_eq!(store.control_outbox("cleo", 0).unwrap()[0].0, "intro:i");
        let other = store
            .record_introduction_answer("i", "ben", IntroAnswer::Accepted, 5, Some(300))
            .unwrap();
        assert_eq!(other.as_deref(), Some("cleo"));
        assert_eq!(
            store
                .record_introduction_answer("i", "ben", IntroAnswer::Declined, 6, None)
                .unwrap(),
            None,
            "a repeat changes nothing"
        );
        assert_eq!(
            store
                .record_introduction_answer("i", "dan", IntroAnswer::Accepted, 6, None)
                .unwrap(),
            None,
            "not a side of it"
        );
        let made = store.made_introduction("i").unwrap().unwrap();
        assert_eq!(made.answers[0].answer, IntroAnswer::Accepted);
        assert_eq!(made.answers[0].bytes, Some(300));
        assert_eq!(made.answers[1].answer, IntroAnswer::Waiting);
    }

    #[test]
    fn control_frames_wait_until_done_or_expired() {
        let mut store = store_with(&["ben"]);
        store.queue_control("ben", "a", "{1}", 100).unwrap();
        store.queue_control("ben", "b", "{2}", 50).unwrap();
        store.queue_control("ben", "a", "{3}", 100).unwrap();
        let keys: Vec<_> = store
            .control_outbox("ben", 10)
            .unwrap()
            .into_iter()
            .map(|(k, f)| format!("{k}{f}"))
            .collect();
        assert_eq!(keys.len(), 2);
        assert!(keys.contains(&"a{3}".to_string()));
        assert_eq!(store.control_outbox("ben", 60).unwrap().len(), 1);
        store.control_done("ben", "a").unwrap();
        assert!(store.control_outbox("ben", 10).unwrap().len() == 1);
        store.expire_introductions(60).unwrap();
        assert!(store.control_outbox("ben", 10).unwrap().is_empty());
    }
}
