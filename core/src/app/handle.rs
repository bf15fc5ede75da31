//! What each action does, and how node events change the app's state. Slow steps
//! (hardening an answer, gathering addresses) publish a "working" view first, and
//! never hold the state lock while the node works.

use super::render::invite_problem;
use super::state::{InviteDraft, JoinDraft, Route};
use super::view::*;
use super::{arrivals, attachments, is_watched, on_peer_state, Action, App, Settings};
use crate::link::Pace;
use crate::node::{Event, InviteRequest, Protection};

/// Carries out one action.
pub fn dispatch(app: &App, action: Action) {
    match action {
        Action::Back => back(app),
        Action::SetVisible { visible } => {
            // Nobody looking: links go to the background pace (docs/IDLE.md).
            app.node().set_pace(if visible {
                Pace::Foreground
            } else {
                Pace::Background
            });
            let open = {
                let mut state = app.state();
                state.visible = visible;
                state.open_conversation().map(str::to_owned)
            };
            if let (true, Some(id)) = (visible, open) {
                mark_read(app, &id);
            }
            let room = app.state().open_room().map(str::to_owned);
            if let (true, Some(id)) = (visible, room) {
                super::rooms::mark_seen(app, &id);
            }
        }
        Action::NetworkChanged => app.node().network_changed(),
        Action::DismissNotice => app.state().notice = None,
        Action::AlertsShown { up_to } => app.state().alerts.retain(|a| a.id > up_to),
        Action::StartInvite => start_invite(app),
        Action::ChooseProtection { protection } => {
            let mut state = app.state();
            let draft = state.invite.get_or_insert_with(InviteDraft::new);
            if draft.stage == InviteStage::Choose {
                draft.protection = protection;
                draft.error = None;
            }
        }
        Action::EditInvite { question, answer } => {
            let mut state = app.state();
            let draft = state.invite.get_or_insert_with(InviteDraft::new);
            if draft.stage == InviteStage::Choose {
                draft.question = question;
                draft.answer = answer;
                draft.error = None;
            }
        }
        Action::CreateInvite => create_invite(app),
        Action::CancelInvite { invite_id } => cancel_invite(app, &invite_id),
        Action::OpenInvite { invite_id } => open_invite(app, &invite_id),
        Action::EditJoinAnswer { answer } => {
            let mut state = app.state();
            if let Some(join) = state.join.as_mut() {
                if join.stage == JoinStage::Answer {
                    join.answer = answer;
                    join.error = None;
                }
            }
        }
        Action::SubmitJoin => submit_join(app),
        Action::Received { text, source } => arrivals::received_text(app, &text, source),
        Action::ReceivedImage { bytes } => arrivals::received_image(app, &bytes),
        Action::OpenScanner { purpose } => app.state().push(Route::Scan(purpose)),
        // A room's alert carries the room's id: it opens the room.
        Action::OpenConversation { id } if app.node().rooms().iter().any(|r| r.id == id) => {
            super::rooms::open(app, &id)
        }
        Action::OpenConversation { id } => {
            let mut state = app.state();
            // A join still waiting for the inviter opens on its reply, to share again.
            if let Some(join) = state.waiting_joins.get(&id).cloned() {
                state.join = Some(join);
                state.push(Route::Join);
                return;
            }
            state.push(Route::Conversation(id.clone()));
            drop(state);
            mark_read(app, &id);
        }
        Action::LoadEarlier => app.state().window += super::state::WINDOW,
        Action::Send { text } => {
            let open = app.state().open_conversation().map(str::to_owned);
            match open {
                Some(id) => send(app, &id, &text),
                None => app.state().warn("Open a conversation to send a message."),
            }
        }
        Action::SendTo { id, text } => send(app, &id, &text),
        Action::PickFile { path } => attachments::pick(app, &path),
        Action::KeepMetadata { keep } => {
            if let Some(p) = app.state().picked.as_mut() {
                p.keep_metadata = keep && p.is_photo;
            }
        }
        Action::SendPicked => attachments::send_picked(app),
        Action::CancelPicked => app.state().picked = None,
        Action::AcceptFile { id } => with_open_file(app, |node, peer| node.accept_file(peer, &id)),
        Action::DeclineFile { id } => with_open_file(app, |node, peer| {
            node.decline_file(peer, &id)?;
            Ok(())
        }),
        Action::MakeFollowUpCode => make_follow_up(app),
        Action::EndConversation => end_conversation(app),
        Action::OpenContact => open_contact(app),
        Action::SetVerified { verified } => with_contact(app, |app, contact| {
            app.node().set_verified(contact, verified)
        }),
        Action::AcceptNewKey => with_contact(app, |app, contact| {
            app.node().accept_new_identity(contact)?;
            app.state()
                .tell("New key accepted. Compare the new safety number to be sure.");
            Ok(())
        }),
        Action::StartIntroduction => super::introductions::start(app),
        Action::IntroduceTo { conversation } => {
            super::introductions::introduce_to(app, &conversation)
        }
        Action::AcceptIntroduction { id } => super::introductions::answer(app, &id, true),
        Action::DeclineIntroduction { id } => super::introductions::answer(app, &id, false),
        Action::StartRoom => super::rooms::start(app),
        Action::EditRoomName { name } => super::rooms::edit_name(app, name),
        Action::ChooseRoomMember {
            conversation,
            chosen,
        } => super::rooms::choose(app, conversation, chosen),
        Action::CreateRoom => super::rooms::create(app),
        Action::OpenRoom { id } => super::rooms::open(app, &id),
        Action::PostToRoom { text } => super::rooms::post(app, &text),
        Action::AddRoomMember { conversation } => super::rooms::add(app, &conversation),
        Action::RemoveRoomMember { member } => super::rooms::remove(app, &member),
        Action::LeaveRoom => super::rooms::leave(app),
        Action::OpenNetwork => super::network::open(app),
        Action::SetHolding { on } => super::network::set_holding(app, on),
        Action::OpenSettings => {
            let mut state = app.state();
            state.settings_error = None;
            state.push(Route::Settings);
        }
        Action::SaveSettings {
            display_name,
            stun_servers,
            invite_lifetime_hours,
        } => save_settings(app, &display_name, &stun_servers, invite_lifetime_hours),
    }
}

fn back(app: &App) {
    let mut state = app.state();
    // Leaving a finished or abandoned flow forgets its draft; a waiting invite stays
    // listed (and can be opened again).
    match state.top() {
        Route::Invite => state.invite = None,
        Route::Join => state.join = None,
        // A file picked but not sent is put back with its conversation.
        Route::Conversation(_) => state.picked = None,
        Route::NewRoom => state.new_room = None,
        _ => {}
    }
    state.pop();
}

fn start_invite(app: &App) {
    let waiting = app.node().pending_invites().map(|p| p.len()).unwrap_or(0);
    let mut state = app.state();
    state.invite = Some(InviteDraft::new());
    state.push(Route::Invite);
    match waiting {
        0 => {}
        1 => state.tell(
            "Your earlier invite is still waiting for its reply (it is in the list). This \
             makes a separate one.",
        ),
        n => state.tell(format!(
            "{n} earlier invites are still waiting for their replies (they are in the list). \
             This makes a separate one."
        )),
    }
}

fn create_invite(app: &App) {
    let (request, draft) = {
        let mut state = app.state();
        let Some(draft) = state.invite.as_mut() else {
            return;
        };
        if draft.stage != InviteStage::Choose {
            return;
        }
        if let Some(problem) = invite_problem(draft) {
            draft.error = Some(problem);
            return;
        }
        let protection = match draft.protection {
            ProtectionChoice::InPerson => Protection::Open,
            ProtectionChoice::Question => Protection::Question {
                question: draft.question.trim().to_owned(),
                answer: draft.answer.clone(),
            },
            ProtectionChoice::Private => Protection::Private {
                question: draft.question.trim().to_owned(),
                answer: draft.answer.clone(),
            },
        };
        draft.stage = InviteStage::Creating;
        (protection, draft.clone())
    };
    app.publish();
    let lifetime = u64::from(app.settings().invite_lifetime_hours) * 3600;
    let result = app.node().create_invite(InviteRequest {
        protection: request,
        lifetime_secs: Some(lifetime),
    });
    let mut state = app.state();
    let Some(current) = state.invite.as_mut() else {
        return;
    };
    match result {
        Ok(info) => {
            current.stage = InviteStage::WaitingForReply;
            current.invite_id = info.invite_id;
            current.code = info.code;
            current.expires_at = info.expires_at;
            // The answer is not needed any more; keep it out of later views.
            current.answer.clear();
        }
        Err(e) => {
            *current = InviteDraft {
                error: Some(e.to_string()),
                stage: InviteStage::Choose,
                ..draft
            };
        }
    }
}

fn cancel_invite(app: &App, invite_id: &str) {
    match app.node().cancel_invite(invite_id) {
        Ok(()) => {
            let mut state = app.state();
            if state
                .invite
                .as_ref()
                .is_some_and(|d| d.invite_id == invite_id)
            {
                state.invite = None;
                if *state.top() == Route::Invite {
                    state.pop();
                }
            }
            state.tell("Invite cancelled: a reply to it will be refused.");
        }
        Err(e) => app.state().warn(e.to_string()),
    }
}

fn open_invite(app: &App, invite_id: &str) {
    let pending = app.node().pending_invites().unwrap_or_default();
    let mut state = app.state();
    let Some(p) = pending.into_iter().find(|p| p.invite_id == invite_id) else {
        state.warn("This invite is no longer waiting: it was used, cancelled or expired.");
        return;
    };
    let mut draft = InviteDraft::new();
    draft.stage = InviteStage::WaitingForReply;
    draft.protection = match p.mode {
        crate::code::InviteMode::Open => ProtectionChoice::InPerson,
        crate::code::InviteMode::Question => ProtectionChoice::Question,
        crate::code::InviteMode::Private => ProtectionChoice::Private,
    };
    draft.question = p.question.unwrap_or_default();
    draft.invite_id = p.invite_id;
    draft.code = p.code.unwrap_or_default();
    draft.expires_at = p.expires_at;
    if draft.code.is_empty() {
        state.tell("This invite was made by an older version: its code cannot be shown again, but a reply to it still works.");
    }
    state.invite = Some(draft);
    state.push(Route::Invite);
}

/// Answers the invite in the join draft and makes the reply.
pub fn submit_join(app: &App) {
    let (code, answer) = {
        let mut state = app.state();
        let Some(join) = state.join.as_mut() else {
            return;
        };
        if !matches!(join.stage, JoinStage::Answer) {
            return;
        }
        join.stage = JoinStage::Working;
        join.error = None;
        let answer = (!join.question.is_empty()).then(|| join.answer.clone());
        (join.code.clone(), answer)
    };
    app.publish();
    let result = app.node().join(&code, answer.as_deref());
    let mut state = app.state();
    let Some(join) = state.join.as_mut() else {
        return;
    };
    match result {
        Ok(info) => {
            join.stage = JoinStage::ShowReply;
            join.invite_id = info.peer.clone();
            join.reply_code = info.reply_code;
            join.answer.clear();
            let waiting = join.clone();
            state.waiting_joins.insert(info.peer.clone(), waiting);
            drop(state);
            app.connecting(&info.peer);
        }
        Err(e) => {
            join.stage = JoinStage::Answer;
            join.error = Some(e.to_string());
        }
    }
}

fn send(app: &App, id: &str, text: &str) {
    if text.trim().is_empty() {
        return;
    }
    // A room post's alert carries the room's id: its reply is a post to the room.
    let node = app.node();
    if node.rooms().iter().any(|r| r.id == id) {
        if let Err(e) = node.post_to_room(id, text) {
            app.state().warn(e.to_string());
        }
        return;
    }
    if let Err(e) = node.send(id, text) {
        app.state().warn(e.to_string());
        return;
    }
    mark_read(app, id);
}

/// The person sees the conversation: what arrived is read (the peer gets receipts).
fn mark_read(app: &App, id: &str) {
    if !app.state().visible {
        return;
    }
    // A conversation of an earlier run that is not running has no receipts to send.
    let _ = app.node().mark_read(id, i64::MAX);
}

/// Runs a file call on the open conversation; a refusal becomes the notice.
fn with_open_file(
    app: &App,
    f: impl FnOnce(&crate::node::Node, &str) -> Result<(), crate::node::NodeError>,
) {
    let Some(id) = app.state().open_conversation().map(str::to_owned) else {
        return;
    };
    if let Err(e) = f(&app.node(), &id) {
        app.state().warn(e.to_string());
    }
}

fn make_follow_up(app: &App) {
    let Some(id) = app.state().open_conversation().map(str::to_owned) else {
        return;
    };
    match app.node().followup_code(&id) {
        Ok(code) => {
            app.state().follow_ups.insert(id, code);
        }
        Err(e) => app.state().warn(e.to_string()),
    }
}

fn end_conversation(app: &App) {
    let Some(id) = app.state().open_conversation().map(str::to_owned) else {
        return;
    };
    match app.node().close_peer(&id) {
        Ok(()) => app
            .state()
            .tell("Conversation ended. Its history stays here."),
        Err(e) => app.state().warn(e.to_string()),
    }
}

fn open_contact(app: &App) {
    let Some(id) = app.state().open_conversation().map(str::to_owned) else {
        return;
    };
    match app.node().conversation_record(&id) {
        Ok(Some(record)) if record.contact.is_some() => app.state().push(Route::Contact(id)),
        Ok(_) => app
            .state()
            .warn("This person's identity is not known yet: connect first."),
        Err(e) => app.state().warn(e.to_string()),
    }
}

/// Runs `f` with the contact of the contact screen on top.
fn with_contact(app: &App, f: impl FnOnce(&App, &str) -> Result<(), crate::node::NodeError>) {
    let conversation = match app.state().top() {
        Route::Contact(id) => id.clone(),
        _ => return,
    };
    let contact = app
        .node()
        .conversation_record(&conversation)
        .ok()
        .flatten()
        .and_then(|r| r.contact);
    let Some(contact) = contact else {
        return;
    };
    if let Err(e) = f(app, &contact) {
        app.state().warn(e.to_string());
    }
}

fn save_settings(app: &App, name: &str, stun: &str, hours: u32) {
    let settings = match Settings::parse(name, stun, hours) {
        Ok(s) => s,
        Err(e) => {
            app.state().settings_error = Some(e.to_string());
            return;
        }
    };
    let before = app.settings();
    if let Err(e) = settings.save(&app.node()) {
        app.state().settings_error = Some(e.to_string());
        return;
    }
    let restart = settings.display_name != before.display_name
        || settings.stun_servers != before.stun_servers;
    let result = if restart {
        app.restart_node(settings)
    } else {
        *super::lock(&app.inner.settings) = settings;
        Ok(())
    };
    let mut state = app.state();
    match result {
        Ok(()) => {
            state.settings_error = None;
            if *state.top() == Route::Settings {
                state.pop();
            }
            state.tell("Settings saved.");
        }
        Err(e) => state.settings_error = Some(e.to_string()),
    }
}

/// Turns one node event into state changes.
pub fn on_event(app: &App, event: Event) {
    match event {
        Event::PeerState { peer, state } => on_peer_state(app, &peer, &state),
        Event::Message { peer, text, .. } => {
            if is_watched(&app.state(), &peer) {
                mark_read(app, &peer);
                return;
            }
            // In sight (another screen of the app): the list's unread count says it.
            if app.state().visible {
                return;
            }
            let title = app.view_name(&peer).unwrap_or_else(|| "New message".into());
            app.state()
                .alert(&peer, title, super::words::preview(&text, 200));
        }
        Event::WrongAnswer {
            invite,
            attempts_left,
        } => {
            let mut state = app.state();
            let text = match attempts_left {
                0 => "A reply to your invite had the wrong answer, and the invite has now been \
                      used up. Make a new one."
                    .to_owned(),
                n => format!(
                    "A reply to your invite had the wrong answer. {n} more wrong {} and the \
                     invite is used up. If it was your contact, check the answer with them.",
                    if n == 1 { "try" } else { "tries" }
                ),
            };
            if let Some(draft) = state.invite.as_mut() {
                if draft.invite_id == invite && draft.stage == InviteStage::Connecting {
                    draft.stage = InviteStage::WaitingForReply;
                }
            }
            state.warn(text);
        }
        Event::IdentityChanged { name, .. } => {
            let name = name.unwrap_or_else(|| "A contact".into());
            app.state().warn(format!(
                "{name}'s security key changed, so the connection was refused. Open the contact \
                 to compare safety numbers."
            ));
        }
        Event::IntroductionChanged { id } => super::introductions::on_changed(app, &id),
        // Views re-read the rooms when they render.
        Event::RoomChanged { .. } => {}
        Event::RoomPost {
            room,
            author,
            name,
            text,
        } => super::rooms::on_post(app, &room, &author, name.as_deref(), &text),
        Event::ContactAdded { .. }
        | Event::Delivered { .. }
        | Event::Read { .. }
        | Event::Overflow { .. } => {}
        Event::FileOffered {
            peer,
            id,
            name,
            size,
            needs_accept,
        } => {
            if is_watched(&app.state(), &peer) {
                mark_read(app, &peer);
                return;
            }
            if app.state().visible {
                return;
            }
            let is_photo = app
                .node()
                .attachment(&peer, &id)
                .ok()
                .flatten()
                .is_some_and(|a| crate::files::photo::is_photo(&a.mime));
            let title = app.view_name(&peer).unwrap_or_else(|| "New file".into());
            let body = attachments::offer_alert(&name, size, is_photo, needs_accept);
            app.state().alert(&peer, title, body);
        }
        Event::FileProgress {
            id, done, total, ..
        } => {
            app.state().progress.insert(id, (done, total));
        }
        Event::FileDone { id, .. } | Event::FileStopped { id, .. } => {
            app.state().progress.remove(&id);
        }
    }
}

impl App {
    /// The contact's name for a conversation, if known.
    fn view_name(&self, peer: &str) -> Option<String> {
        let node = self.node();
        let contact = node.conversation_record(peer).ok().flatten()?.contact?;
        node.contact(&contact).ok()?.name
    }
}

/// Sets up the join draft for an opened invite (or browser offer).
pub fn new_join(
    app: &App,
    code: String,
    opened: String,
    question: String,
    expires_at: u64,
    browser: bool,
) {
    let mut state = app.state();
    if let Some(old) = state.join.as_ref() {
        if old.stage == JoinStage::ShowReply {
            state.tell("Your earlier reply still waits for its inviter (it is in the list).");
        }
    }
    state.join = Some(JoinDraft {
        stage: JoinStage::Answer,
        code,
        browser,
        opened,
        question,
        answer: String::new(),
        error: None,
        invite_id: String::new(),
        reply_code: String::new(),
        expires_at,
    });
    state.push(Route::Join);
}
