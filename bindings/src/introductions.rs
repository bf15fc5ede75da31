//! Introductions (issue #15): a contact introduces two of its contacts, who connect
//! directly with no codes. Mirrors the node's records; the decisions stay in the core.

use tincan_core::node as core;
use tincan_core::store::{IntroAnswer as CoreAnswer, IntroState as CoreState};

use crate::node::Node;
use crate::TincanError;

/// Where an introduction made to us stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum IntroState {
    /// Waiting for our answer.
    Offered,
    /// We accepted; waiting for the other person's answer.
    Accepted,
    /// Declined, by us or the other person (see the reason).
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

/// One side's answer to an introduction we made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum IntroAnswer {
    /// Not answered yet.
    Waiting,
    /// Accepted (a sealed card was passed on).
    Accepted,
    /// Declined.
    Declined,
}

/// What the introducer knows of one side's answer: that it came, when, how big.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct AnswerSeen {
    /// The answer.
    pub answer: IntroAnswer,
    /// Unix seconds, once answered.
    pub at: Option<u64>,
    /// Size of the sealed card passed on, if any.
    pub bytes: Option<u64>,
}

/// An introduction someone made to us.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IntroductionInfo {
    /// Its id; also the conversation it makes once both accepted.
    pub id: String,
    /// The conversation with whoever introduced us.
    pub introducer: String,
    /// The introducer's name.
    pub introducer_name: Option<String>,
    /// The name of the person introduced, as the introducer knows it.
    pub name: Option<String>,
    /// Their identity key (hex), as the introducer gave it.
    pub key: String,
    /// Where it stands.
    pub state: IntroState,
    /// Why it was declined or failed.
    pub reason: Option<String>,
    /// Unix seconds.
    pub expires_at: u64,
}

/// One side of an introduction we made.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IntroducedSide {
    /// Our conversation with them.
    pub peer: String,
    /// Their name.
    pub name: Option<String>,
    /// Their answer, when, and the size of what we passed on.
    pub seen: AnswerSeen,
}

/// An introduction we made.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MadeIntroductionInfo {
    /// Its id.
    pub id: String,
    /// The two people, in the order given (always two).
    pub sides: Vec<IntroducedSide>,
    /// Unix seconds.
    pub expires_at: u64,
}

impl From<CoreState> for IntroState {
    fn from(s: CoreState) -> Self {
        match s {
            CoreState::Offered => Self::Offered,
            CoreState::Accepted => Self::Accepted,
            CoreState::Declined => Self::Declined,
            CoreState::Connecting => Self::Connecting,
            CoreState::Connected => Self::Connected,
            CoreState::Expired => Self::Expired,
            CoreState::Failed => Self::Failed,
        }
    }
}

impl From<CoreAnswer> for IntroAnswer {
    fn from(a: CoreAnswer) -> Self {
        match a {
            CoreAnswer::Waiting => Self::Waiting,
            CoreAnswer::Accepted => Self::Accepted,
            CoreAnswer::Declined => Self::Declined,
        }
    }
}

impl From<core::IntroductionInfo> for IntroductionInfo {
    fn from(i: core::IntroductionInfo) -> Self {
        Self {
            id: i.id,
            introducer: i.introducer,
            introducer_name: i.introducer_name,
            name: i.name,
            key: i.key,
            state: i.state.into(),
            reason: i.reason,
            expires_at: i.expires_at,
        }
    }
}

impl From<core::IntroducedSide> for IntroducedSide {
    fn from(s: core::IntroducedSide) -> Self {
        Self {
            peer: s.peer,
            name: s.name,
            seen: AnswerSeen {
                answer: s.seen.answer.into(),
                at: s.seen.at,
                bytes: s.seen.bytes,
            },
        }
    }
}

impl From<core::MadeIntroductionInfo> for MadeIntroductionInfo {
    fn from(m: core::MadeIntroductionInfo) -> Self {
        Self {
            id: m.id,
            sides: m.sides.into_iter().map(IntroducedSide::from).collect(),
            expires_at: m.expires_at,
        }
    }
}

#[uniffi::export]
impl Node {
    /// Introduces the contacts of two conversations to each other. Both are asked;
    /// if both accept, they connect directly and this device only carries sealed
    /// bytes. Returns the introduction's id.
    pub fn introduce(&self, first_peer: &str, second_peer: &str) -> Result<String, TincanError> {
        Ok(self.inner.introduce(first_peer, second_peer)?)
    }

    /// Introductions made to us, newest first.
    pub fn introductions(&self) -> Result<Vec<IntroductionInfo>, TincanError> {
        Ok(self
            .inner
            .introductions()?
            .into_iter()
            .map(IntroductionInfo::from)
            .collect())
    }

    /// Introductions we made, newest first, with what we saw of the answers.
    pub fn introductions_made(&self) -> Result<Vec<MadeIntroductionInfo>, TincanError> {
        Ok(self
            .inner
            .introductions_made()?
            .into_iter()
            .map(MadeIntroductionInfo::from)
            .collect())
    }

    /// Accepts an introduction made to us. Once the other person accepted too, the
    /// conversation (whose id is the introduction's) connects by itself.
    pub fn accept_introduction(&self, id: &str) -> Result<(), TincanError> {
        Ok(self.inner.accept_introduction(id)?)
    }

    /// Declines an introduction made to us; the other person is told.
    pub fn decline_introduction(&self, id: &str) -> Result<(), TincanError> {
        Ok(self.inner.decline_introduction(id)?)
    }
}
