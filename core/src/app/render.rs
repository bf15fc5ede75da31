//! Builds the [`AppView`] from what the node knows (conversations, states, contacts,
//! invites) and the app's own [`State`]. Pure reading: it changes nothing.

use super::attachments::{attachment_view, picked_view};
use super::state::{InviteDraft, JoinDraft, Route, State};
use super::view::*;
use super::words::{self, Clock};
use super::Settings;
use crate::code::InviteMode;
use crate::inbound::share_text;
use crate::node::{ContactInfo, Node, NodeError, PeerInfo, PeerState};
use crate::protect::keys::Role;
use crate::protect::strength;
use crate::store::AttachmentRecord;
use std::collections::BTreeMap;

/// What the render reads once and shares between the parts of the view.
pub(super) struct Facts {
    pub(super) peers: BTreeMap<String, PeerInfo>,
    pub(super) contacts: BTreeMap<String, ContactInfo>,
    /// Read once, so the list and a room's screen agree within one view.
    pub(super) rooms: Vec<crate::node::RoomInfo>,
}

impl Facts {
    fn read(node: &Node) -> Result<Self, NodeError> {
        Ok(Self {
            peers: node
                .peers()
                .into_iter()
                .map(|p| (p.peer.clone(), p))
                .collect(),
            contacts: node
                .contacts()?
                .into_iter()
                .map(|c| (c.id.clone(), c))
                .collect(),
            rooms: node.rooms(),
        })
    }

    /// The connection state of a conversation; `closed` is the stored "ended" flag.
    pub(super) fn connection(&self, id: &str, closed: bool) -> Connection {
        if closed {
            return Connection::Ended;
        }
        match self.peers.get(id).map(|p| &p.state) {
            Some(PeerState::Connecting | PeerState::Confirming) => Connection::Connecting,
            Some(PeerState::Connected) => Connection::Connected,
            Some(PeerState::Reconnecting { .. }) => Connection::Reconnecting,
            Some(PeerState::Offline { .. }) | None => Connection::Offline,
            Some(PeerState::Disconnected { .. } | PeerState::Failed { .. }) => Connection::Ended,
        }
    }

    pub(super) fn name(&self, id: &str, contact: Option<&str>) -> String {
        contact
            .and_then(|c| self.contacts.get(c))
            .and_then(|c| c.name.clone())
            .or_else(|| self.peers.get(id).and_then(|p| p.name.clone()))
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "New contact".into())
    }
}

/// Builds the whole view.
pub fn render(
    node: &Node,
    state: &State,
    clock: &Clock,
    settings: &Settings,
    revision: u64,
) -> AppView {
    let facts = match Facts::read(node) {
        Ok(f) => f,
        Err(e) => {
            return AppView {
                revision,
                screen: Screen::Conversations,
                can_go_back: false,
                conversations: Vec::new(),
                notice: Some(Notice {
                    text: e.to_string(),
                    is_error: true,
                }),
                keep_alive: KeepAlive {
                    needed: false,
                    text: String::new(),
                },
                alerts: Vec::new(),
                my_name: settings.display_name.clone(),
                introductions: Vec::new(),
                rooms: Vec::new(),
            }
        }
    };
    let mut notice = state.notice.clone();
    let conversations = match conversation_rows(node, state, clock, &facts) {
        Ok(rows) => rows,
        Err(e) => {
            notice = Some(Notice {
                text: e.to_string(),
                is_error: true,
            });
            Vec::new()
        }
    };
    let introductions = match super::introductions::rows(node, clock) {
        Ok(rows) => rows,
        Err(e) => {
            notice = Some(Notice {
                text: e.to_string(),
                is_error: true,
            });
            Vec::new()
        }
    };
    let rooms = match super::rooms::rows(node, &facts, clock) {
        Ok(rows) => rows,
        Err(e) => {
            notice = Some(Notice {
                text: e.to_string(),
                is_error: true,
            });
            Vec::new()
        }
    };
    let screen = match screen(node, state, clock, settings, &facts) {
        Ok(screen) => screen,
        Err(e) => {
            notice = Some(Notice {
                text: e.to_string(),
                is_error: true,
            });
            Screen::Conversations
        }
    };
    AppView {
        revision,
        can_go_back: state.routes.len() > 1,
        screen,
        keep_alive: keep_alive(&facts, &conversations, state),
        conversations,
        notice,
        alerts: state.alerts.iter().cloned().collect(),
        my_name: settings.display_name.clone(),
        introductions,
        rooms,
    }
}

/// Until when a first contact still waits for its first connection, if it does.
fn first_contact_until(node: &Node, id: &str) -> Option<u64> {
    node.waiting_conversations()
        .ok()?
        .into_iter()
        .find(|w| w.peer == id)
        .map(|w| w.until)
}

fn conversation_rows(
    node: &Node,
    state: &State,
    clock: &Clock,
    facts: &Facts,
) -> Result<Vec<ConversationRow>, NodeError> {
    // (sort key in ms, row): newest activity first.
    let mut rows: Vec<(u64, ConversationRow)> = Vec::new();
    for summary in node.conversation_summaries()? {
        let Some(record) = node.conversation_record(&summary.id)? else {
            continue;
        };
        let live = facts.peers.get(&summary.id);
        if record.contact.is_none() && live.is_none() {
            // A first connection that never completed, from an earlier run.
            continue;
        }
        let connection = facts.connection(&summary.id, record.closed);
        let verified = record
            .contact
            .as_deref()
            .and_then(|c| facts.contacts.get(c))
            .is_some_and(|c| c.verified);
        let waiting_join = record.role == Role::Joiner
            && record.contact.is_none()
            && connection == Connection::Connecting;
        let when_ms = summary
            .last
            .as_ref()
            .map(|m| m.stored_at)
            .unwrap_or(record.created_at.saturating_mul(1000));
        let row = if waiting_join {
            let expires = state
                .waiting_joins
                .get(&summary.id)
                .map(|d| clock.expiry(d.expires_at))
                .unwrap_or_default();
            ConversationRow {
                id: summary.id.clone(),
                kind: RowKind::WaitingJoin,
                title: "Reply sent".into(),
                preview: format!(
                    "Waiting for the inviter to load your reply{}",
                    if expires.is_empty() {
                        String::new()
                    } else {
                        format!(" · {expires}")
                    }
                ),
                time_label: clock.short_label(when_ms),
                unread: 0,
                connection: Connection::Waiting,
                status: words::connection_status(Connection::Waiting, 0),
                verified: false,
            }
        } else {
            let first_contact = record.contact.is_none() && connection == Connection::Connecting;
            let attached = summary
                .last
                .as_ref()
                .filter(|m| m.text.is_empty())
                .and_then(|m| node.attachment(&summary.id, &m.id).ok().flatten())
                .map(|a| super::attachments::summary_line(&a));
            let preview = match &summary.last {
                Some(m) if attached.is_some() => {
                    let line = attached.unwrap_or_default();
                    if m.outgoing {
                        format!("You: {line}")
                    } else {
                        line
                    }
                }
                Some(m) if m.outgoing => format!("You: {}", words::preview(&m.text, 60)),
                Some(m) => words::preview(&m.text, 60),
                // The reply is loaded; the first connection has not come up yet.
                None if first_contact => match first_contact_until(node, &summary.id) {
                    Some(until) => {
                        format!("Waiting for the first connection · {}", clock.expiry(until))
                    }
                    None => "Connecting…".into(),
                },
                None if connection == Connection::Connecting => "Connecting…".into(),
                None => "No messages yet".into(),
            };
            ConversationRow {
                id: summary.id.clone(),
                kind: RowKind::Chat,
                title: facts.name(&summary.id, record.contact.as_deref()),
                preview,
                time_label: clock.short_label(when_ms),
                unread: summary.unread,
                connection,
                status: words::connection_status(connection, summary.outbox),
                verified,
            }
        };
        rows.push((when_ms, row));
    }
    for invite in node.pending_invites()? {
        let title = match (&invite.question, invite.mode) {
            (_, InviteMode::Open) => "In-person invite".to_owned(),
            (Some(q), _) if !q.trim().is_empty() => format!("Invite: {}", words::preview(q, 40)),
            _ => "Invite".to_owned(),
        };
        rows.push((
            invite.created_at.saturating_mul(1000),
            ConversationRow {
                id: invite.invite_id.clone(),
                kind: RowKind::WaitingInvite,
                title,
                preview: format!(
                    "Waiting for the reply · {}",
                    clock.expiry(invite.expires_at)
                ),
                time_label: clock.short_label(invite.created_at.saturating_mul(1000)),
                unread: 0,
                connection: Connection::Waiting,
                status: words::connection_status(Connection::Waiting, 0),
                verified: false,
            },
        ));
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

fn keep_alive(facts: &Facts, rows: &[ConversationRow], state: &State) -> KeepAlive {
    let connected = facts
        .peers
        .values()
        .filter(|p| p.state == PeerState::Connected)
        .count();
    let queued: u64 = facts
        .peers
        .values()
        .filter(|p| {
            !matches!(
                p.state,
                PeerState::Disconnected { .. } | PeerState::Failed { .. }
            )
        })
        .map(|p| p.outbox)
        .sum();
    let connecting = rows
        .iter()
        .filter(|r| {
            matches!(
                r.connection,
                Connection::Connecting | Connection::Reconnecting
            )
        })
        .count()
        + state.waiting_joins.len();
    let mut parts = Vec::new();
    match connected {
        0 => {}
        1 => parts.push("Connected to 1 contact".to_owned()),
        n => parts.push(format!("Connected to {n} contacts")),
    }
    match queued {
        0 => {}
        1 => parts.push("1 message waiting to be sent".to_owned()),
        n => parts.push(format!("{n} messages waiting to be sent")),
    }
    if connecting > 0 && parts.is_empty() {
        parts.push("Connecting…".to_owned());
    }
    KeepAlive {
        needed: connected > 0 || queued > 0 || connecting > 0,
        text: parts.join(" · "),
    }
}

fn screen(
    node: &Node,
    state: &State,
    clock: &Clock,
    settings: &Settings,
    facts: &Facts,
) -> Result<Screen, NodeError> {
    Ok(match state.top() {
        Route::Conversations => Screen::Conversations,
        Route::Invite => Screen::Invite {
            view: invite_view(state.invite.as_ref(), clock),
        },
        Route::Join => Screen::Join {
            view: join_view(state.join.as_ref(), clock),
        },
        Route::Conversation(id) => Screen::Conversation {
            view: conversation_view(node, state, clock, facts, id)?,
        },
        Route::Contact(id) => Screen::Contact {
            view: contact_view(node, facts, id)?,
        },
        Route::Introduce(id) => Screen::Introduce {
            view: super::introductions::introduce_view(node, facts, id)?,
        },
        Route::NewRoom => Screen::NewRoom {
            view: super::rooms::new_room_view(node, facts, state)?,
        },
        Route::Room(id) => Screen::Room {
            view: super::rooms::room_view(node, facts, clock, id)?,
        },
        Route::Network => Screen::Network {
            view: super::network::network_view(node, facts, clock)?,
        },
        Route::Settings => Screen::Settings {
            view: SettingsView {
                display_name: settings.display_name.clone(),
                stun_servers: settings.stun_servers.join("\n"),
                stun_help: "Without a STUN server only phones on the same network (the same \
                            Wi-Fi) can connect. A STUN server you trust lets phones on different \
                            networks find each other; it sees your public address, never your \
                            messages."
                    .into(),
                invite_lifetime_hours: settings.invite_lifetime_hours,
                error: state.settings_error.clone(),
            },
        },
        Route::Scan(purpose) => Screen::Scan {
            view: ScanView {
                purpose: *purpose,
                hint: match purpose {
                    ScanPurpose::AnyCode => {
                        "Point the camera at the Tincan code on the other phone.".into()
                    }
                    ScanPurpose::SafetyNumber => {
                        "Point the camera at the safety-number code on your contact's phone.".into()
                    }
                },
            },
        },
    })
}

/// The protection picker's help line.
fn protection_help(choice: ProtectionChoice) -> String {
    match choice {
        ProtectionChoice::Question => {
            "Send the code through any messenger. Only someone who knows the answer can connect."
        }
        ProtectionChoice::InPerson => {
            "Show a QR code to the person next to you. No question: anyone who sees the code could \
             use it, so only show it in person."
        }
        ProtectionChoice::Private => {
            "Also hides your network addresses in the code. Needs a strong passphrase, because \
             anyone who copies the code can try guesses offline."
        }
    }
    .into()
}

fn mode_of(choice: ProtectionChoice) -> InviteMode {
    match choice {
        ProtectionChoice::Question => InviteMode::Question,
        ProtectionChoice::InPerson => InviteMode::Open,
        ProtectionChoice::Private => InviteMode::Private,
    }
}

/// Why the invite cannot be created yet, if it cannot.
pub fn invite_problem(draft: &InviteDraft) -> Option<String> {
    match draft.protection {
        ProtectionChoice::InPerson => None,
        ProtectionChoice::Question | ProtectionChoice::Private => {
            if draft.question.trim().is_empty() {
                Some("Type a question only the other person can answer.".into())
            } else if crate::protect::normalize::normalize_answer(&draft.answer).is_err()
                || draft.answer.trim().is_empty()
            {
                Some("Type the answer they will give.".into())
            } else if draft.protection == ProtectionChoice::Private
                && strength::estimate(&draft.answer, &draft.question).bits
                    < strength::PRIVATE_MIN_BITS
            {
                Some(format!(
                    "A private invite needs a passphrase of at least {} bits (several unusual words).",
                    strength::PRIVATE_MIN_BITS
                ))
            } else {
                None
            }
        }
    }
}

fn invite_view(draft: Option<&InviteDraft>, clock: &Clock) -> InviteView {
    let fresh = InviteDraft::new();
    let d = draft.unwrap_or(&fresh);
    let (strength_text, weak) = match d.protection {
        ProtectionChoice::InPerson => (
            strength::what_it_protects(InviteMode::Open, &strength::estimate("", "")),
            false,
        ),
        _ if d.answer.trim().is_empty() => (String::new(), false),
        choice => {
            let s = strength::estimate(&d.answer, &d.question);
            let weak = match choice {
                ProtectionChoice::Private => s.bits < strength::PRIVATE_MIN_BITS,
                _ => s.bits < 10,
            };
            (strength::what_it_protects(mode_of(choice), &s), weak)
        }
    };
    let made = !d.code.is_empty();
    let instructions = match d.stage {
        InviteStage::Choose => String::new(),
        InviteStage::Creating => "Making the invite…".into(),
        InviteStage::WaitingForReply if d.protection == ProtectionChoice::InPerson => {
            "Let the other person scan this code with Tincan. Then scan the reply code their \
             phone shows."
                .into()
        }
        InviteStage::WaitingForReply => "Send this invite through any messenger. When the \
             reply comes back, share it to Tincan or paste it here. You can close the app \
             meanwhile."
            .into(),
        InviteStage::Connecting => "Reply loaded. Connecting…".into(),
        InviteStage::Connected => "Connected.".into(),
    };
    InviteView {
        stage: d.stage,
        protection: d.protection,
        protection_help: protection_help(d.protection),
        question: d.question.clone(),
        answer: d.answer.clone(),
        strength: strength_text,
        strength_warning: weak,
        can_create: d.stage == InviteStage::Choose && invite_problem(d).is_none(),
        error: d.error.clone(),
        invite_id: d.invite_id.clone(),
        code: d.code.clone(),
        share_text: if made {
            share_text(&d.code)
        } else {
            String::new()
        },
        qr_payload: d.code.clone(),
        instructions,
        expires: if made {
            clock.expiry(d.expires_at)
        } else {
            String::new()
        },
        conversation: if d.stage == InviteStage::Connected {
            d.invite_id.clone()
        } else {
            String::new()
        },
    }
}

fn join_view(draft: Option<&JoinDraft>, clock: &Clock) -> JoinView {
    let Some(d) = draft else {
        return JoinView {
            stage: JoinStage::Answer,
            opened: String::new(),
            question: String::new(),
            answer: String::new(),
            can_submit: false,
            error: Some("Nothing to answer: open an invite first.".into()),
            reply_code: String::new(),
            share_text: String::new(),
            qr_payload: String::new(),
            instructions: String::new(),
            expires: String::new(),
            conversation: String::new(),
        };
    };
    let made = !d.reply_code.is_empty();
    let instructions = match d.stage {
        JoinStage::Answer => "Type the answer. The person who invited you knows it too.".into(),
        JoinStage::Working => "Checking the invite and making your reply…".into(),
        JoinStage::ShowReply if d.browser => {
            "Paste this answer into the browser page. Keep Tincan open until it connects.".into()
        }
        JoinStage::ShowReply => "Send this reply back the way the invite came, or let them \
             scan it. Keep Tincan open until you are connected."
            .into(),
        JoinStage::Connected => "Connected.".into(),
    };
    JoinView {
        stage: d.stage,
        opened: d.opened.clone(),
        question: d.question.clone(),
        answer: d.answer.clone(),
        can_submit: d.stage == JoinStage::Answer && !d.answer.trim().is_empty(),
        error: d.error.clone(),
        reply_code: d.reply_code.clone(),
        share_text: if made && !d.browser {
            share_text(&d.reply_code)
        } else {
            d.reply_code.clone()
        },
        qr_payload: if d.browser {
            String::new()
        } else {
            d.reply_code.clone()
        },
        instructions,
        expires: if d.expires_at > 0 {
            clock.expiry(d.expires_at)
        } else {
            String::new()
        },
        conversation: d.invite_id.clone(),
    }
}

fn conversation_view(
    node: &Node,
    state: &State,
    clock: &Clock,
    facts: &Facts,
    id: &str,
) -> Result<ConversationView, NodeError> {
    let record = node
        .conversation_record(id)?
        .ok_or_else(|| NodeError::UnknownPeer(id.to_owned()))?;
    let contact = record
        .contact
        .as_deref()
        .and_then(|c| facts.contacts.get(c));
    let connection = facts.connection(id, record.closed);
    let name = facts.name(id, record.contact.as_deref());
    let outbox = facts.peers.get(id).map(|p| p.outbox).unwrap_or(0);
    let key_changed = contact.is_some_and(|c| c.identity_changed);

    let mut page = node.history(id, None, state.window + 1)?;
    let has_earlier = page.len() > state.window as usize;
    if has_earlier {
        page.remove(0);
    }
    let files: BTreeMap<i64, AttachmentRecord> = match (page.first(), page.last()) {
        (Some(first), Some(last)) => node
            .attachments_in(id, first.seq, last.seq)?
            .into_iter()
            .map(|a| (a.seq, a))
            .collect(),
        _ => BTreeMap::new(),
    };
    let mut items = Vec::with_capacity(page.len() + 8);
    let mut last_day = String::new();
    for m in &page {
        let day = clock.day_key(m.stored_at);
        if day != last_day {
            items.push(ConversationItem::Day {
                key: format!("day-{day}"),
                label: clock.day_label(m.stored_at),
            });
            last_day = day;
        }
        let delivery = words::delivery(m.outgoing, m.status);
        items.push(ConversationItem::Message {
            key: m.seq.to_string(),
            outgoing: m.outgoing,
            text: m.text.clone(),
            time: clock.time(m.stored_at),
            delivery,
            delivery_label: words::delivery_label(delivery),
            attachment: files.get(&m.seq).map(|a| {
                let progress = state.progress.get(&a.id).copied();
                attachment_view(a, progress, &name, connection == Connection::Connected)
            }),
        });
    }

    let reason = match facts.peers.get(id).map(|p| &p.state) {
        Some(
            PeerState::Offline { reason }
            | PeerState::Failed { reason }
            | PeerState::Disconnected { reason },
        ) => Some(reason.clone()),
        _ => None,
    };
    let banner = if key_changed {
        Some(Banner {
            kind: BannerKind::KeyChanged,
            text: format!(
                "{name}'s security key changed. Nothing is sent or received until you compare \
                 the new safety number with {name} and accept it. It may be a new phone, or \
                 someone else."
            ),
        })
    } else {
        match connection {
            Connection::Connecting => Some(Banner {
                kind: BannerKind::Connecting,
                text: "Connecting for the first time…".into(),
            }),
            Connection::Reconnecting => Some(Banner {
                kind: BannerKind::Reconnecting,
                text: "Connection lost. Reconnecting by itself; messages you write are kept \
                       and sent then."
                    .into(),
            }),
            Connection::Offline => Some(Banner {
                kind: BannerKind::Offline,
                text: format!(
                    "{name} is not reachable right now{}. Messages wait and are sent when you \
                     are both back.",
                    reason.map(|r| format!(" ({r})")).unwrap_or_default()
                ),
            }),
            Connection::Ended => Some(Banner {
                kind: BannerKind::Ended,
                text: "This conversation has ended. Start a new one with an invite.".into(),
            }),
            Connection::Connected | Connection::Waiting => None,
        }
    };
    let stuck_for = state
        .unconnected_since
        .get(id)
        .map(|since| since.elapsed())
        .unwrap_or_default();
    let offer_after = if record.contact.is_none() {
        state.follow_up.after_connecting
    } else {
        state.follow_up.after_loss
    };
    let follow_up = (matches!(
        connection,
        Connection::Connecting | Connection::Reconnecting | Connection::Offline
    ) && facts.peers.contains_key(id)
        && !key_changed
        && (stuck_for >= offer_after || state.follow_ups.contains_key(id)))
    .then(|| {
        let code = state.follow_ups.get(id).cloned().unwrap_or_default();
        FollowUpOffer {
            explanation: if code.is_empty() {
                "The connection does not come up by itself (often: different networks). Make \
                 a follow-up code and send it to the other person; when they open it in \
                 Tincan, you connect."
                    .into()
            } else {
                "Send this follow-up code to the other person. When they open it in Tincan, \
                 you connect."
                    .into()
            },
            share_text: if code.is_empty() {
                String::new()
            } else {
                share_text(&code)
            },
            code,
        }
    });
    let can_send = !matches!(connection, Connection::Ended) && !key_changed;
    Ok(ConversationView {
        id: id.to_owned(),
        subtitle: words::connection_status(connection, outbox),
        title: name.clone(),
        connection,
        verified: contact.is_some_and(|c| c.verified),
        banner,
        items,
        has_earlier,
        can_send,
        composer_hint: match connection {
            Connection::Connected => "Message".into(),
            Connection::Ended => "This conversation has ended".into(),
            _ if key_changed => "Accept the new key to write again".into(),
            _ => format!("Message — sent when {name} is back"),
        },
        follow_up,
        // Files go to Tincan contacts only (a browser page has no way to take them).
        can_attach: can_send && record.contact.is_some(),
        picked: picked_view(state, id),
        contact: record.contact.unwrap_or_default(),
    })
}

fn contact_view(node: &Node, facts: &Facts, conversation: &str) -> Result<ContactView, NodeError> {
    let record = node
        .conversation_record(conversation)?
        .ok_or_else(|| NodeError::UnknownPeer(conversation.to_owned()))?;
    let contact_id = record.contact.ok_or_else(|| {
        NodeError::Invalid("This person's identity is not known yet: connect first.".into())
    })?;
    let contact = facts
        .contacts
        .get(&contact_id)
        .ok_or_else(|| NodeError::UnknownContact(contact_id.clone()))?;
    let name = contact
        .name
        .clone()
        .unwrap_or_else(|| "This contact".into());
    let explanation = if contact.identity_changed {
        format!(
            "{name} now uses a different security key. If {name} got a new phone or reinstalled \
             Tincan, compare the new safety number in person or on a call, then accept it. If \
             not, someone may be pretending to be {name}: do not accept."
        )
    } else if contact.verified {
        format!("You compared safety numbers with {name}: this is really {name}'s phone.")
    } else {
        format!(
            "Compare this number with the one on {name}'s phone (in person or on a call), or \
             scan {name}'s code. If they match, nobody is in the middle."
        )
    };
    let (introduced_by, can_introduce, introductions_made) =
        super::introductions::contact_parts(node, facts, conversation, contact, &name)?;
    Ok(ContactView {
        introduced_by,
        can_introduce,
        introductions_made,
        conversation: conversation.to_owned(),
        safety_qr: node.safety_qr_payload(&contact_id)?,
        contact: contact_id,
        name,
        safety_number: words::group_digits(&contact.safety_number),
        verified: contact.verified,
        key_changed: contact.identity_changed,
        explanation,
    })
}
