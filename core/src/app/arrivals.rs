//! The one door for everything that arrives from outside the app — pasted text, a
//! share from another app, a `tincan:` link, a camera frame, an image — routed to the
//! flow it starts. Classification is [`crate::inbound`]'s; this decides what follows.

use super::handle::{new_join, submit_join};
use super::state::Route;
use super::view::InviteStage;
use super::{App, Source};
use crate::code::InviteMode;
use crate::inbound::{self, Inbound};
use crate::node::NodeError;
use crate::CodeError;

/// Largest camera frame accepted (a 4K frame is 8.3 Mpx).
const MAX_FRAME_PIXELS: u64 = 16_000_000;

/// Largest picture file looked at for a code; shells read at most one byte more, so
/// a larger file is told apart from one that could not be read.
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;

/// Text from outside.
pub fn received_text(app: &App, text: &str, source: Source) {
    route(app, inbound::classify_text(text), source);
}

/// An image from outside: the code in it.
pub fn received_image(app: &App, bytes: &[u8]) {
    {
        // A picture picked instead of scanning ends the scan, as a camera read does.
        let mut state = app.state();
        if matches!(state.top(), Route::Scan(_)) {
            state.pop();
        }
        if bytes.is_empty() {
            state.warn(
                "That picture could not be read (it is empty, or Tincan was not given access \
                 to it). Try again, or paste the code as text.",
            );
            return;
        }
        if bytes.len() > MAX_IMAGE_BYTES {
            state.warn(
                "That picture is larger than 20 MB, too large to look for a code in. Send a \
                 screenshot of the code, or the code as text.",
            );
            return;
        }
    }
    route(app, inbound::classify_image(bytes), Source::Image);
}

/// One camera frame; true once a code was read and handled.
pub fn scan_frame(app: &App, width: u32, height: u32, stride: u32, luma: &[u8]) -> bool {
    let pixels = u64::from(width) * u64::from(height);
    let needed = u64::from(stride) * u64::from(height.saturating_sub(1)) + u64::from(width);
    if width == 0 || height == 0 || stride < width || pixels > MAX_FRAME_PIXELS {
        return false;
    }
    if (luma.len() as u64) < needed {
        return false;
    }
    let packed: std::borrow::Cow<'_, [u8]> = if stride == width {
        std::borrow::Cow::Borrowed(&luma[..(pixels as usize)])
    } else {
        let mut out = Vec::with_capacity(pixels as usize);
        for row in 0..height as usize {
            let start = row * stride as usize;
            out.extend_from_slice(&luma[start..start + width as usize]);
        }
        std::borrow::Cow::Owned(out)
    };
    match inbound::classify_frame(width, height, &packed) {
        // No code in this frame: the next one may have it.
        Err(CodeError::Qr { .. }) => false,
        result => {
            {
                let mut state = app.state();
                if matches!(state.top(), Route::Scan(_)) {
                    state.pop();
                }
            }
            route(app, result, Source::Camera);
            true
        }
    }
}

fn route(app: &App, classified: Result<Inbound, CodeError>, source: Source) {
    let item = match classified {
        Ok(item) => item,
        Err(e) => {
            let prefix = match source {
                Source::Image => "No Tincan code found in that picture. ",
                _ => "",
            };
            let text = e.to_string();
            app.state()
                .warn(if prefix.is_empty() || text.starts_with("No Tincan QR") {
                    text
                } else {
                    format!("{prefix}{text}")
                });
            return;
        }
    };
    app.state().notice = None;
    match item {
        Inbound::Invite { code } => open_invite_code(app, code),
        Inbound::Reply { code, invite_id } => load_reply(app, &code, &invite_id),
        Inbound::FollowUp { code, .. } => match app.node().accept_followup(&code) {
            Ok(id) => {
                app.connecting(&id);
                app.state().push(Route::Conversation(id));
                app.state()
                    .tell("Follow-up code loaded: connecting with the new details.");
            }
            Err(e) => app.state().warn(e.to_string()),
        },
        Inbound::SafetyNumber { payload } => safety_number(app, &payload),
        Inbound::BrowserOffer { json } => {
            new_join(
                app,
                json,
                "A browser page's offer (no question: it is answered directly)".into(),
                String::new(),
                0,
                true,
            );
            submit_join(app);
        }
        Inbound::BrowserAnswer { json } => load_reply(app, &json, ""),
    }
}

fn open_invite_code(app: &App, code: String) {
    let node = app.node();
    let preview = match node.open_invite(&code) {
        Ok(p) => p,
        Err(e) => {
            app.state().warn(e.to_string());
            return;
        }
    };
    let own = node
        .pending_invites()
        .unwrap_or_default()
        .iter()
        .any(|p| p.invite_id == preview.invite_id);
    if own {
        app.state().warn(
            "This is your own invite. Send it to the person you want to talk to; their reply \
             is what you open here.",
        );
        return;
    }
    let (opened, in_person) = match preview.mode {
        InviteMode::Open => ("An in-person invite (no question)", true),
        InviteMode::Question => ("An invite with a question", false),
        InviteMode::Private => ("A private invite with a question", false),
    };
    new_join(
        app,
        code,
        opened.into(),
        preview.question.unwrap_or_default(),
        preview.expires_at,
        false,
    );
    if in_person {
        submit_join(app);
    }
}

fn load_reply(app: &App, code: &str, invite_id: &str) {
    {
        let mut state = app.state();
        let matches_draft = state
            .invite
            .as_ref()
            .is_some_and(|d| invite_id.is_empty() || d.invite_id == invite_id);
        if matches_draft {
            if let Some(d) = state.invite.as_mut() {
                d.stage = InviteStage::Connecting;
            }
            if *state.top() != Route::Invite {
                state.push(Route::Invite);
            }
        }
    }
    app.publish();
    match app.node().accept_reply(code) {
        Ok(id) => {
            app.connecting(&id);
            let mut state = app.state();
            let showing_flow = state.invite.as_ref().is_some_and(|d| d.invite_id == id);
            if !showing_flow {
                state.push(Route::Conversation(id));
            }
        }
        Err(e) => {
            let mut state = app.state();
            if let Some(d) = state.invite.as_mut() {
                if d.stage == InviteStage::Connecting {
                    d.stage = InviteStage::WaitingForReply;
                }
            }
            // A wrong answer is told by the node's WrongAnswer event, in the inviter's
            // words and with the tries left; the code's own message is the joiner's.
            if !matches!(e, NodeError::Code(CodeError::WrongAnswer)) {
                state.warn(e.to_string());
            }
        }
    }
}

fn safety_number(app: &App, payload: &str) {
    let node = app.node();
    // On a contact's screen (or scanning from it), the scan is about that contact.
    let on_contact = app.state().routes.iter().rev().find_map(|r| match r {
        Route::Contact(id) => Some(id.clone()),
        _ => None,
    });
    let candidates: Vec<(String, Option<String>)> = match &on_contact {
        Some(conversation) => node
            .conversation_record(conversation)
            .ok()
            .flatten()
            .and_then(|r| r.contact)
            .and_then(|c| node.contact(&c).ok())
            .map(|c| vec![(c.id, c.name)])
            .unwrap_or_default(),
        None => node
            .contacts()
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect(),
    };
    for (contact, name) in &candidates {
        match node.verify_scanned(contact, payload) {
            Ok(true) => {
                let name = name.clone().unwrap_or_else(|| "this contact".into());
                app.state().tell(format!(
                    "Safety numbers match: this is really {name}. Marked as verified."
                ));
                return;
            }
            Ok(false) => {}
            Err(e) => {
                app.state().warn(e.to_string());
                return;
            }
        }
    }
    app.state().warn(match on_contact {
        Some(_) => "This safety number does not match this contact. Make sure you scan the \
                    code on their phone, from your conversation; if it still does not match, \
                    someone may be in the middle."
            .to_owned(),
        None => "This safety number does not match any of your contacts. Open the contact and \
                 scan it from there."
            .to_owned(),
    });
}
