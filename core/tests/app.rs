//! The app model as two people use it: Ana and Ben each hold an `App` (one process,
//! loopback), tap through the screens by dispatching actions and read only what the
//! views show — exactly what the phone shells do.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tincan_core::app::{
    Action, App, AppConfig, AppView, AttachmentState, AttachmentView, Connection, ConversationItem,
    Delivery, FollowUpTiming, IntroductionStage, InviteStage, JoinStage, ProtectionChoice, RowKind,
    ScanPurpose, Screen, Source, Updates, METADATA_KEPT, METADATA_REMOVED,
};
use tincan_core::link::{LinkConfig, Pace};
use tincan_core::protect::argon;
use tincan_core::qr;
use tincan_core::secrets::MemorySecretStore;

const WAIT: Duration = Duration::from_secs(30);

struct Phone {
    app: App,
    updates: Updates,
    secrets: Arc<MemorySecretStore>,
    dir: tempfile::TempDir,
}

fn config(dir: &std::path::Path, secrets: Arc<MemorySecretStore>) -> AppConfig {
    let mut config = AppConfig::new(dir.to_owned(), secrets);
    config.link = LinkConfig::loopback();
    config.argon = argon::FLOOR;
    // Files over 1 MB wait for the person's yes (25 MiB on a phone).
    config.files.auto_accept_bytes = 1_000_000;
    // Offer follow-up codes soon, so a test can see the offer.
    config.follow_up = FollowUpTiming {
        after_connecting: Duration::from_secs(1),
        after_loss: Duration::from_secs(1),
    };
    config
}

fn phone(name: &str) -> Phone {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let app = App::open(config(dir.path(), secrets.clone())).unwrap();
    let updates = app.updates();
    let phone = Phone {
        app,
        updates,
        secrets,
        dir,
    };
    phone.tap(Action::SaveSettings {
        display_name: name.into(),
        stun_servers: String::new(),
        invite_lifetime_hours: 24,
    });
    phone
}

impl Phone {
    fn tap(&self, action: Action) {
        self.app.dispatch(action);
    }

    fn view(&self) -> AppView {
        self.app.view()
    }

    /// Waits until the view shows what `what` describes.
    fn wait_until(&mut self, what: &str, ok: impl Fn(&AppView) -> bool) -> AppView {
        let deadline = Instant::now() + WAIT;
        let mut last = self.app.view();
        while !ok(&last) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out waiting for {what}; last view: {last:#?}"
            );
            if let Some(v) = self
                .updates
                .next_within(left.min(Duration::from_millis(500)))
            {
                last = v;
            } else {
                last = self.app.view();
            }
        }
        last
    }

    fn notice(&self) -> String {
        self.view().notice.map(|n| n.text).unwrap_or_default()
    }
}

fn invite_view(v: &AppView) -> tincan_core::app::InviteView {
    match &v.screen {
        Screen::Invite { view } => view.clone(),
        other => panic!("expected the invite screen, got {other:#?}"),
    }
}

fn join_view(v: &AppView) -> tincan_core::app::JoinView {
    match &v.screen {
        Screen::Join { view } => view.clone(),
        other => panic!("expected the join screen, got {other:#?}"),
    }
}

fn conversation(v: &AppView) -> Option<&tincan_core::app::ConversationView> {
    match &v.screen {
        Screen::Conversation { view } => Some(view),
        _ => None,
    }
}

fn connected(v: &AppView) -> bool {
    conversation(v).is_some_and(|c| c.connection == Connection::Connected)
}

fn ticks_of(v: &AppView, text: &str) -> Option<Delivery> {
    conversation(v)?.items.iter().find_map(|i| match i {
        ConversationItem::Message {
            text: t, delivery, ..
        } if t == text => Some(*delivery),
        _ => None,
    })
}

/// Ana invites with a question; returns the line she shares.
fn ana_invites_with_a_question(ana: &Phone) -> String {
    ana.tap(Action::StartInvite);
    ana.tap(Action::EditInvite {
        question: "Where did we first meet?".into(),
        answer: "Lisbon".into(),
    });
    let invite = invite_view(&ana.view());
    assert_eq!(invite.stage, InviteStage::Choose);
    assert!(invite.can_create);
    assert!(invite.strength.contains("bits"), "{}", invite.strength);
    ana.tap(Action::CreateInvite);
    let invite = invite_view(&ana.view());
    assert_eq!(invite.stage, InviteStage::WaitingForReply);
    assert!(invite.code.starts_with("TINCAN-"));
    assert_eq!(invite.qr_payload, invite.code);
    assert!(invite.share_text.contains(&invite.code));
    assert!(
        invite.answer.is_empty(),
        "the answer is not kept in the view"
    );
    invite.share_text
}

/// The whole first contact through the screens; returns the conversation id.
fn ana_and_ben_connect(ana: &mut Phone, ben: &mut Phone) -> String {
    let shared = ana_invites_with_a_question(ana);
    let row = &ana.view().conversations[0];
    assert_eq!(row.kind, RowKind::WaitingInvite);
    assert!(row.preview.contains("Expires"), "{}", row.preview);

    ben.tap(Action::Received {
        text: shared,
        source: Source::Share,
    });
    let join = join_view(&ben.view());
    assert_eq!(join.stage, JoinStage::Answer);
    assert_eq!(join.question, "Where did we first meet?");
    assert!(!join.can_submit);
    ben.tap(Action::EditJoinAnswer {
        answer: "  lisbon ".into(),
    });
    assert!(join_view(&ben.view()).can_submit);
    ben.tap(Action::SubmitJoin);
    let join = join_view(&ben.view());
    assert_eq!(join.stage, JoinStage::ShowReply, "{:?}", join.error);
    assert!(join.share_text.contains(&join.reply_code));
    let waiting = ben
        .view()
        .conversations
        .iter()
        .any(|r| r.kind == RowKind::WaitingJoin);
    assert!(waiting, "Ben's list shows the join waiting");

    ana.tap(Action::Received {
        text: join.share_text,
        source: Source::Paste,
    });
    let a = ana.wait_until("Ana's conversation to connect", connected);
    let b = ben.wait_until("Ben's conversation to connect", connected);
    for phone in [&*ana, &*ben] {
        let kinds: Vec<RowKind> = phone.view().conversations.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [RowKind::Chat],
            "only the conversation is listed once connected"
        );
    }
    let id = conversation(&a).unwrap().id.clone();
    assert_eq!(conversation(&b).unwrap().id, id);
    ana.wait_until("Ben's name on Ana's side", |v| {
        conversation(v).is_some_and(|c| c.title == "Ben")
    });
    ben.wait_until("Ana's name on Ben's side", |v| {
        conversation(v).is_some_and(|c| c.title == "Ana")
    });
    id
}

#[test]
fn ana_invites_with_a_question_ben_answers_and_the_ticks_reach_read() {
    let mut ana = phone("Ana");
    let mut ben = phone("Ben");
    assert!(!ana.view().keep_alive.needed, "nothing to keep alive yet");
    let id = ana_and_ben_connect(&mut ana, &mut ben);
    assert!(ana.view().keep_alive.needed);
    assert!(ana
        .view()
        .keep_alive
        .text
        .contains("Connected to 1 contact"));

    // Ben leaves the conversation for the list, so Ana's message is unread there.
    ben.tap(Action::Back);
    assert_eq!(ben.view().screen, Screen::Conversations);
    ana.tap(Action::Send {
        text: "Hello Ben!".into(),
    });
    ana.wait_until("Hello to be delivered", |v| {
        ticks_of(v, "Hello Ben!") == Some(Delivery::Delivered)
    });
    let row = ben.wait_until("an unread message on Ben's list", |v| {
        v.conversations.iter().any(|r| r.id == id && r.unread == 1)
    });
    let row = row.conversations.iter().find(|r| r.id == id).unwrap();
    assert_eq!(row.preview, "Hello Ben!");
    assert_eq!(row.title, "Ana");
    assert_eq!(row.connection, Connection::Connected);
    assert!(!row.verified);
    // Ben's app was visible but not in the conversation: no alert (the list shows it).
    // Once hidden, messages become alerts for notifications, and both links go to
    // the background pace (Ben's node tells Ana's).
    ben.tap(Action::SetVisible { visible: false });
    assert_eq!(ben.app.node().pace(), Pace::Background);
    for (who, node) in [("Ben", ben.app.node()), ("Ana", ana.app.node())] {
        let deadline = Instant::now() + WAIT;
        while node.link_stats(&id).map(|s| s.pace) != Some(Pace::Background) {
            assert!(
                Instant::now() < deadline,
                "{who}'s link not in the background"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    ana.tap(Action::Send {
        text: "Are you there?".into(),
    });
    let alerts = ben
        .wait_until("an alert", |v| {
            v.alerts
                .iter()
                .any(|a| a.body == "Are you there?" && a.title == "Ana" && a.conversation == id)
        })
        .alerts;
    ben.tap(Action::AlertsShown {
        up_to: alerts.last().unwrap().id,
    });
    assert!(ben.view().alerts.is_empty());

    // Ben opens it: read receipts go back, Ana sees both messages read.
    ben.tap(Action::SetVisible { visible: true });
    assert_eq!(ben.app.node().pace(), Pace::Foreground);
    ben.tap(Action::OpenConversation { id: id.clone() });
    let view = ben.view();
    let c = conversation(&view).unwrap();
    assert!(matches!(&c.items[0], ConversationItem::Day { label, .. } if label == "Today"));
    assert_eq!(c.items.len(), 3, "a day separator and two messages");
    assert!(c.can_send);
    ana.wait_until("both messages read", |v| {
        ticks_of(v, "Hello Ben!") == Some(Delivery::Read)
            && ticks_of(v, "Are you there?") == Some(Delivery::Read)
    });
    // Ben answers from a notification, without opening anything.
    ben.tap(Action::Back);
    ben.tap(Action::SendTo {
        id: id.clone(),
        text: "Yes!".into(),
    });
    ana.wait_until("Ben's answer", |v| {
        ticks_of(v, "Yes!") == Some(Delivery::Incoming)
    });
}

#[test]
fn in_person_the_phones_scan_each_others_codes() {
    let mut ana = phone("Ana");
    let mut ben = phone("Ben");
    ana.tap(Action::StartInvite);
    ana.tap(Action::ChooseProtection {
        protection: ProtectionChoice::InPerson,
    });
    let choose = invite_view(&ana.view());
    assert!(choose.can_create, "no question needed in person");
    assert!(choose.strength.contains("in person"), "{}", choose.strength);
    ana.tap(Action::CreateInvite);
    let invite = invite_view(&ana.view());
    assert!(
        invite.instructions.contains("scan"),
        "{}",
        invite.instructions
    );

    // Ben points his camera at Ana's screen.
    ben.tap(Action::OpenScanner {
        purpose: ScanPurpose::AnyCode,
    });
    assert!(matches!(ben.view().screen, Screen::Scan { .. }));
    assert!(
        !ben.app.scan_frame(64, 64, 64, &[255; 64 * 64]),
        "a blank frame reads nothing"
    );
    let (w, h, stride, luma) = camera_frame(&invite.qr_payload);
    assert!(ben.app.scan_frame(w, h, stride, &luma));
    let join = join_view(&ben.view());
    assert_eq!(
        join.stage,
        JoinStage::ShowReply,
        "no question: the reply is made at once"
    );
    assert!(join.question.is_empty());

    // Ana scans the reply on Ben's screen.
    ana.tap(Action::OpenScanner {
        purpose: ScanPurpose::AnyCode,
    });
    let (w, h, stride, luma) = camera_frame(&join.qr_payload);
    assert!(ana.app.scan_frame(w, h, stride, &luma));
    ana.wait_until("Ana connected", connected);
    ben.wait_until("Ben connected", connected);
}

/// A camera frame of a QR code: the code's luma image with a grey margin and a row
/// stride wider than the picture, as camera buffers have.
fn camera_frame(payload: &str) -> (u32, u32, u32, Vec<u8>) {
    let (side, luma) = qr::render(payload).unwrap().to_luma(4);
    let (w, h, stride) = (side + 40, side + 40, side + 64);
    let mut frame = vec![200u8; (stride * h) as usize];
    for y in 0..side {
        for x in 0..side {
            frame[((y + 20) * stride + x + 20) as usize] = luma[(y * side + x) as usize];
        }
    }
    (w, h, stride, frame)
}

#[test]
fn every_bad_input_gets_words_not_a_crash() {
    let mut ana = phone("Ana");
    let ben = phone("Ben");
    let cleo = phone("Cleo");

    ana.tap(Action::Received {
        text: "see you at 8?".into(),
        source: Source::Paste,
    });
    assert!(
        ana.notice().contains("not a Tincan code"),
        "{}",
        ana.notice()
    );
    assert_eq!(ana.view().screen, Screen::Conversations);

    // A truncated invite.
    let shared = ana_invites_with_a_question(&ana);
    ana.tap(Action::Back);
    let code = shared.split_whitespace().last().unwrap().to_owned();
    ben.tap(Action::Received {
        text: code[..code.len() - 12].to_owned(),
        source: Source::Paste,
    });
    assert!(!ben.notice().is_empty());
    assert_eq!(ben.view().screen, Screen::Conversations);

    // Ana opens her own invite.
    ana.tap(Action::Received {
        text: code.clone(),
        source: Source::Paste,
    });
    assert!(ana.notice().contains("your own invite"), "{}", ana.notice());

    // A second invite while one is pending: allowed, and said so.
    ana.tap(Action::StartInvite);
    assert!(ana.notice().contains("still waiting"), "{}", ana.notice());
    ana.tap(Action::Back);

    // A reply for another phone's invite.
    let cleos = ana_invites_with_a_question(&cleo);
    ben.tap(Action::Received {
        text: cleos,
        source: Source::Share,
    });
    ben.tap(Action::EditJoinAnswer {
        answer: "Lisbon".into(),
    });
    ben.tap(Action::SubmitJoin);
    let reply = join_view(&ben.view()).reply_code;
    ana.tap(Action::Received {
        text: reply,
        source: Source::Paste,
    });
    assert!(ana.notice().contains("doesn't have"), "{}", ana.notice());

    // A wrong answer: Ben cannot tell, Ana's phone can, and says how many tries remain.
    ben.tap(Action::Back);
    ben.tap(Action::Received {
        text: code.clone(),
        source: Source::Link,
    });
    ben.tap(Action::EditJoinAnswer {
        answer: "Porto".into(),
    });
    ben.tap(Action::SubmitJoin);
    let reply = join_view(&ben.view()).reply_code;
    ana.tap(Action::Received {
        text: reply,
        source: Source::Paste,
    });
    ana.wait_until("the wrong answer explained", |v| {
        v.notice
            .as_ref()
            .is_some_and(|n| n.is_error && n.text.contains("wrong answer"))
    });

    // Pictures: one without a code, and one whose header claims 20,000 × 20,000.
    let (side, blank) = (64u32, vec![255u8; 64 * 64]);
    let mut png = Vec::new();
    image_png(side, &blank, &mut png);
    ana.tap(Action::ReceivedImage { bytes: png });
    assert!(ana.notice().contains("QR"), "{}", ana.notice());
    ana.tap(Action::ReceivedImage {
        bytes: huge_png_header(20_000, 20_000),
    });
    assert!(!ana.notice().is_empty());
    ana.tap(Action::ReceivedImage { bytes: Vec::new() });
    assert!(
        ana.notice().contains("could not be read"),
        "{}",
        ana.notice()
    );
    // A picture picked on the camera screen ends the scan, whatever it holds.
    ana.tap(Action::OpenScanner {
        purpose: ScanPurpose::AnyCode,
    });
    ana.tap(Action::ReceivedImage {
        bytes: vec![0; tincan_core::app::MAX_IMAGE_BYTES + 1],
    });
    assert!(
        ana.notice().contains("larger than 20 MB"),
        "{}",
        ana.notice()
    );
    assert_eq!(ana.view().screen, Screen::Conversations);

    // An invite that expired a year ago.
    let expired = tincan_core::code::create_invite(
        tincan_core::code::InviteSecret::Open,
        &common::ana_description(),
        common::NOW - 400 * common::DAY,
        common::DAY,
        argon::FLOOR,
        &mut common::rng(7),
    )
    .unwrap();
    ben.tap(Action::Back);
    ben.tap(Action::Received {
        text: expired.code,
        source: Source::Paste,
    });
    assert!(ben.notice().contains("expired"), "{}", ben.notice());

    // Nothing stored was lost: Ana's invite still waits, and the list still renders.
    assert!(ana
        .view()
        .conversations
        .iter()
        .any(|r| r.kind == RowKind::WaitingInvite));
}

/// A grey PNG of `side` × `side`.
fn image_png(side: u32, luma: &[u8], out: &mut Vec<u8>) {
    use image::ImageEncoder;
    image::codecs::png::PngEncoder::new(out)
        .write_image(luma, side, side, image::ExtendedColorType::L8)
        .unwrap();
}

/// A PNG whose header claims a huge picture (the pixels are missing).
fn huge_png_header(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
    png
}

#[test]
fn contacts_verify_by_scanning_and_settings_stay() {
    let mut ana = phone("Ana");
    let mut ben = phone("Ben");
    let id = ana_and_ben_connect(&mut ana, &mut ben);

    ben.tap(Action::OpenContact);
    let theirs = match ben.view().screen {
        Screen::Contact { view } => view,
        other => panic!("expected Ben's contact screen, got {other:#?}"),
    };
    assert_eq!(theirs.name, "Ana");
    ana.tap(Action::OpenContact);
    let mine = match ana.view().screen {
        Screen::Contact { view } => view,
        other => panic!("expected Ana's contact screen, got {other:#?}"),
    };
    assert_eq!(
        mine.safety_number, theirs.safety_number,
        "both see one number"
    );
    assert_eq!(mine.safety_number.split(' ').count(), 12);
    assert!(!mine.verified);
    ana.tap(Action::OpenScanner {
        purpose: ScanPurpose::SafetyNumber,
    });
    ana.tap(Action::Received {
        text: theirs.safety_qr,
        source: Source::Camera,
    });
    assert!(ana.notice().contains("match"), "{}", ana.notice());
    ana.tap(Action::Back);
    let verified = match ana.view().screen {
        Screen::Contact { view } => view.verified,
        other => panic!("expected the contact screen, got {other:#?}"),
    };
    assert!(verified);
    assert!(ana
        .view()
        .conversations
        .iter()
        .any(|r| r.id == id && r.verified));

    // Settings: a bad STUN entry is explained; a good save survives a restart.
    ana.tap(Action::OpenSettings);
    ana.tap(Action::SaveSettings {
        display_name: "Ana B".into(),
        stun_servers: "stun.example.org".into(),
        invite_lifetime_hours: 24,
    });
    match ana.view().screen {
        Screen::Settings { view } => {
            assert!(view.error.unwrap().contains("host:port"));
        }
        other => panic!("expected settings, got {other:#?}"),
    }
    ana.tap(Action::SaveSettings {
        display_name: "Ana B".into(),
        stun_servers: String::new(),
        invite_lifetime_hours: 48,
    });
    assert_eq!(ana.view().my_name, "Ana B");
    let Phone {
        app, secrets, dir, ..
    } = ana;
    app.shutdown();
    drop(app);
    let reopened = App::open(config(dir.path(), secrets)).unwrap();
    assert_eq!(reopened.view().my_name, "Ana B");
    reopened.dispatch(Action::OpenSettings);
    match reopened.view().screen {
        Screen::Settings { view } => assert_eq!(view.invite_lifetime_hours, 48),
        other => panic!("expected settings, got {other:#?}"),
    }
    // The conversation is still listed, under Ben's name.
    assert!(reopened
        .view()
        .conversations
        .iter()
        .any(|r| r.id == id && r.title == "Ben"));
    reopened.shutdown();
}

#[test]
fn an_invite_inside_a_picture_opens_the_join_flow() {
    let ana = phone("Ana");
    let ben = phone("Ben");
    let shared = ana_invites_with_a_question(&ana);
    let code = invite_view(&ana.view()).qr_payload;
    assert!(shared.contains(&code));
    // The picture Ana's phone shares (the QR code as a PNG), picked from Ben's gallery.
    let png = qr::render(&code).unwrap().to_png(6);
    ben.tap(Action::ReceivedImage { bytes: png });
    let join = join_view(&ben.view());
    assert_eq!(join.stage, JoinStage::Answer);
    assert_eq!(join.question, "Where did we first meet?");
    assert_eq!(join.opened, "An invite with a question");
}

#[test]
fn a_first_connection_that_does_not_come_up_offers_a_follow_up_code() {
    let mut ana = phone("Ana");
    let ben = phone("Ben");
    let shared = ana_invites_with_a_question(&ana);
    ben.tap(Action::Received {
        text: shared,
        source: Source::Share,
    });
    ben.tap(Action::EditJoinAnswer {
        answer: "Lisbon".into(),
    });
    ben.tap(Action::SubmitJoin);
    let reply = join_view(&ben.view());
    let id = reply.conversation.clone();
    // Ben's list says what he waits for, and until when.
    ben.tap(Action::Back);
    let row = ben
        .view()
        .conversations
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert_eq!(row.kind, RowKind::WaitingJoin);
    assert!(row.preview.contains("load your reply"), "{}", row.preview);
    assert!(row.preview.contains("Expires"), "{}", row.preview);
    assert!(
        ben.view().keep_alive.needed,
        "a join waiting must keep the app alive"
    );
    // Tapping the row shows the reply again, to share once more.
    ben.tap(Action::OpenConversation { id: id.clone() });
    let again = join_view(&ben.view());
    assert_eq!(again.stage, JoinStage::ShowReply);
    assert_eq!(again.reply_code, reply.reply_code);

    // Ben's phone goes away before Ana loads the reply: her connection cannot come up,
    // and her conversation offers a follow-up code.
    ben.app.shutdown();
    ana.tap(Action::Received {
        text: reply.share_text,
        source: Source::Paste,
    });
    assert_eq!(invite_view(&ana.view()).stage, InviteStage::Connecting);
    ana.tap(Action::Back);
    // Her list says what she waits for, and until when.
    let row = ana
        .view()
        .conversations
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert!(
        row.preview.contains("Waiting for the first connection") && row.preview.contains("Expires"),
        "{}",
        row.preview
    );
    ana.tap(Action::OpenConversation { id: id.clone() });
    let view = ana.wait_until("the follow-up offer", |v| {
        conversation(v).is_some_and(|c| c.follow_up.is_some())
    });
    let c = conversation(&view).unwrap();
    assert_eq!(c.connection, Connection::Connecting);
    assert!(c.follow_up.as_ref().unwrap().code.is_empty());
    ana.tap(Action::MakeFollowUpCode);
    let view = ana.view();
    let offer = conversation(&view).unwrap().follow_up.clone().unwrap();
    assert!(offer.code.starts_with("TINCAN-"));
    assert!(offer.share_text.contains(&offer.code));

    // Ben opens the app again: his join is still waiting, listed with its expiry and
    // opened on his reply; Ana's follow-up code, shared to him, connects them.
    let Phone { dir, secrets, .. } = ben;
    let app = App::open(config(dir.path(), secrets.clone())).unwrap();
    let updates = app.updates();
    let mut ben = Phone {
        app,
        updates,
        secrets,
        dir,
    };
    let row = ben
        .view()
        .conversations
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert_eq!(row.kind, RowKind::WaitingJoin);
    assert!(row.preview.contains("load your reply"), "{}", row.preview);
    assert!(row.preview.contains("Expires"), "{}", row.preview);
    ben.tap(Action::OpenConversation { id: id.clone() });
    let again = join_view(&ben.view());
    assert_eq!(again.stage, JoinStage::ShowReply);
    assert_eq!(again.reply_code, reply.reply_code);
    ben.tap(Action::Back);
    ben.tap(Action::Received {
        text: offer.share_text,
        source: Source::Share,
    });
    ana.wait_until("Ana's conversation to connect after the follow-up", |v| {
        conversation(v).is_some_and(|c| c.connection == Connection::Connected)
    });
    ben.wait_until("Ben's list to show the conversation connected", |v| {
        v.conversations
            .iter()
            .any(|r| r.id == id && r.kind == RowKind::Chat && r.connection == Connection::Connected)
    });
}

#[test]
fn a_long_conversation_shows_the_newest_and_pages_back() {
    let mut ana = phone("Ana");
    let mut ben = phone("Ben");
    ana_and_ben_connect(&mut ana, &mut ben);
    for i in 0..60 {
        ana.tap(Action::Send {
            text: format!("message {i}"),
        });
    }
    let view = ben.wait_until("all 60 messages", |v| {
        ticks_of(v, "message 59") == Some(Delivery::Incoming)
    });
    let c = conversation(&view).unwrap();
    assert!(c.has_earlier);
    assert_eq!(
        c.items
            .iter()
            .filter(|i| matches!(i, ConversationItem::Message { .. }))
            .count(),
        50
    );
    ben.tap(Action::LoadEarlier);
    let view = ben.view();
    let c = conversation(&view).unwrap();
    assert!(!c.has_earlier);
    assert_eq!(ticks_of(&view, "message 0"), Some(Delivery::Incoming));
}

#[test]
fn a_browser_pages_offer_is_answered_and_its_answer_loaded() {
    // A plain page's offer (another node plays the page: same JSON, same channel).
    let page = phone("Page");
    let ben = phone("Ben");
    let offer = page.app.node().create_browser_offer().unwrap();
    // Pasted wrapped in backticks after a sentence, as chats mangle it.
    ben.tap(Action::Received {
        text: format!("Here is my offer: `{}`", offer.offer_json),
        source: Source::Paste,
    });
    let join = join_view(&ben.view());
    assert_eq!(join.stage, JoinStage::ShowReply, "{:?}", join.error);
    assert!(join.opened.contains("browser"), "{}", join.opened);
    assert!(
        join.reply_code.contains("\"answer\""),
        "the reply is the page's JSON"
    );
    assert!(
        join.qr_payload.is_empty(),
        "browser JSON is pasted, not scanned"
    );
    page.app
        .node()
        .accept_browser_answer(&offer.peer, &join.reply_code)
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while !page
        .app
        .node()
        .peers()
        .iter()
        .any(|p| p.state == tincan_core::node::PeerState::Connected)
    {
        assert!(Instant::now() < deadline, "the page never connected");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The attachment called `name` in the open conversation.
fn attachment(v: &AppView, name: &str) -> Option<AttachmentView> {
    conversation(v)?.items.iter().find_map(|i| match i {
        ConversationItem::Message {
            attachment: Some(a),
            ..
        } if a.name == name => Some(a.clone()),
        _ => None,
    })
}

fn in_state(v: &AppView, name: &str, state: AttachmentState) -> bool {
    attachment(v, name).is_some_and(|a| a.state == state)
}

/// A JPEG with an EXIF segment holding a made-up position.
fn photo_with_location(path: &std::path::Path) {
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    let exif = b"Exif\0\0GPS-LATITUDE-48.8566-SECRET";
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(exif);
    out.extend_from_slice(&jpeg[2..]);
    std::fs::write(path, out).unwrap();
}

#[test]
fn a_photo_arrives_with_its_preview_and_without_its_location() {
    let mut ana = phone("Ana");
    let mut ben = phone("Ben");
    ana_and_ben_connect(&mut ana, &mut ben);
    // Ben's phone is in his pocket: the photo is announced.
    ben.tap(Action::SetVisible { visible: false });

    let photo = ana.dir.path().join("beach.jpg");
    photo_with_location(&photo);
    ana.tap(Action::PickFile {
        path: photo.display().to_string(),
    });
    let picked = conversation(&ana.view()).unwrap().picked.clone().unwrap();
    assert!(picked.is_photo);
    assert_eq!(picked.name, "beach.jpg");
    assert_eq!(picked.send_label, "Send photo");
    assert_eq!(picked.metadata_note, METADATA_REMOVED);
    assert_eq!(
        picked.keep_metadata_label,
        "Keep location and camera details"
    );
    assert!(!picked.keep_metadata, "removed unless the person asks");
    ana.tap(Action::KeepMetadata { keep: true });
    let picked = conversation(&ana.view()).unwrap().picked.clone().unwrap();
    assert!(picked.keep_metadata);
    assert_eq!(picked.metadata_note, METADATA_KEPT);
    ana.tap(Action::KeepMetadata { keep: false });
    ana.tap(Action::SendPicked);
    let v = ana.view();
    assert!(conversation(&v).unwrap().picked.is_none(), "{:?}", v.notice);
    let mine = attachment(&v, "beach.jpg").unwrap();
    assert!(mine.is_photo && !mine.can_accept && !mine.can_open);
    assert!(
        mine.preview_jpeg.is_some(),
        "the sender sees the preview too"
    );

    let v = ben.wait_until("the photo's alert", |v| !v.alerts.is_empty());
    assert_eq!(v.alerts[0].title, "Ana");
    assert!(
        v.alerts[0].body.starts_with("Sent you a photo ("),
        "{}",
        v.alerts[0].body
    );
    ben.tap(Action::SetVisible { visible: true });
    let v = ben.wait_until("the photo to arrive", |v| {
        in_state(v, "beach.jpg", AttachmentState::Complete)
    });
    let got = attachment(&v, "beach.jpg").unwrap();
    assert!(got.can_open && !got.can_accept && !got.can_decline);
    assert_eq!(got.progress_percent, 100);
    assert_eq!(got.mime, "image/jpeg");
    let preview = got.preview_jpeg.unwrap();
    assert_eq!(&preview[..2], &[0xFF, 0xD8], "the preview is a JPEG");
    let bytes = std::fs::read(&got.path).unwrap();
    assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
    assert!(
        !bytes.windows(6).any(|w| w == b"SECRET"),
        "the location was removed before sending"
    );
    assert_eq!(v.conversations[0].preview, "📷 Photo");
    ana.wait_until("Ana's photo to count as sent", |v| {
        attachment(v, "beach.jpg").is_some_and(|a| a.status.ends_with("· Sent"))
    });
    ana.app.shutdown();
    ben.app.shutdown();
}

#[test]
fn a_large_file_waits_for_a_yes_and_a_no_reaches_the_sender() {
    let mut ana = phone("Ana");
    let mut ben = phone("Ben");
    ana_and_ben_connect(&mut ana, &mut ben);

    let report = ana.dir.path().join("report.bin");
    let content: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&report, &content).unwrap();
    ana.tap(Action::PickFile {
        path: report.display().to_string(),
    });
    let picked = conversation(&ana.view()).unwrap().picked.clone().unwrap();
    assert!(!picked.is_photo);
    assert_eq!(picked.size_text, "3.0 MB");
    assert_eq!(picked.send_label, "Send file");
    assert!(picked.metadata_note.is_empty() && picked.keep_metadata_label.is_empty());
    ana.tap(Action::SendPicked);

    let v = ben.wait_until("the offer", |v| {
        in_state(v, "report.bin", AttachmentState::NeedsAnswer)
    });
    let offer = attachment(&v, "report.bin").unwrap();
    assert_eq!(offer.status, "3.0 MB · Download it?");
    assert!(offer.can_accept && offer.can_decline && !offer.can_open);
    assert_eq!(v.conversations[0].preview, "📎 report.bin");
    assert!(v.alerts.is_empty(), "Ben is looking at the chat");
    ana.wait_until("Ana to see it waiting for Ben", |v| {
        attachment(v, "report.bin")
            .is_some_and(|a| a.status == "3.0 MB · Waiting for Ben to accept")
    });
    assert_eq!(ana.view().conversations[0].preview, "You: 📎 report.bin");

    ben.tap(Action::AcceptFile {
        id: offer.id.clone(),
    });
    let v = ben.wait_until("the file to arrive", |v| {
        in_state(v, "report.bin", AttachmentState::Complete)
    });
    let got = attachment(&v, "report.bin").unwrap();
    assert!(got.can_open);
    assert_eq!(std::fs::read(&got.path).unwrap(), content, "intact");
    // Accepting twice is told, not a crash.
    ben.tap(Action::AcceptFile { id: offer.id });
    assert!(ben.notice().contains("already"), "{}", ben.notice());

    // The next one Ben declines; Ana is told.
    let other = ana.dir.path().join("other.bin");
    std::fs::write(&other, &content).unwrap();
    ana.tap(Action::PickFile {
        path: other.display().to_string(),
    });
    ana.tap(Action::SendPicked);
    let v = ben.wait_until("the second offer", |v| {
        in_state(v, "other.bin", AttachmentState::NeedsAnswer)
    });
    let id = attachment(&v, "other.bin").unwrap().id;
    ben.tap(Action::DeclineFile { id });
    let v = ben.view();
    assert_eq!(
        attachment(&v, "other.bin").unwrap().status,
        "3.0 MB · Declined"
    );
    ana.wait_until("Ana to hear of the no", |v| {
        attachment(v, "other.bin").is_some_and(|a| {
            a.state == AttachmentState::Declined && a.status == "3.0 MB · Ben declined it"
        })
    });

    // An iPhone's HEIC picture: its metadata cannot be removed, so it goes only as it
    // is, when Ana says so.
    let heic = ana.dir.path().join("IMG_0412.HEIC");
    let mut bytes = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    bytes.resize(5000, 7);
    std::fs::write(&heic, &bytes).unwrap();
    ana.tap(Action::PickFile {
        path: heic.display().to_string(),
    });
    let picked = conversation(&ana.view()).unwrap().picked.clone().unwrap();
    assert!(picked.is_photo, "the switch is shown");
    assert!(
        picked.metadata_note.contains("cannot remove"),
        "{}",
        picked.metadata_note
    );
    ana.tap(Action::SendPicked);
    assert!(ana.notice().contains("Turn on"), "{}", ana.notice());
    assert!(
        conversation(&ana.view()).unwrap().picked.is_some(),
        "not sent"
    );
    ana.tap(Action::KeepMetadata { keep: true });
    assert_eq!(
        conversation(&ana.view())
            .unwrap()
            .picked
            .clone()
            .unwrap()
            .metadata_note,
        METADATA_KEPT
    );
    ana.tap(Action::SendPicked);
    assert!(conversation(&ana.view()).unwrap().picked.is_none());
    ben.wait_until("the HEIC picture", |v| {
        attachment(v, "IMG_0412.HEIC").is_some()
    });

    // A picked file that cannot be read is told at once; one put back is gone.
    ana.tap(Action::PickFile {
        path: "/no/such/file.jpg".into(),
    });
    assert!(ana.notice().contains("cannot be sent"), "{}", ana.notice());
    ana.tap(Action::PickFile {
        path: other.display().to_string(),
    });
    ana.tap(Action::CancelPicked);
    assert!(conversation(&ana.view()).unwrap().picked.is_none());
    ana.app.shutdown();
    ben.app.shutdown();
}

/// Connects `a` and `b` through the screens (a question invite, the reply pasted);
/// returns the conversation id. Both end on the conversation screen.
fn connect_pair(a: &mut Phone, b: &mut Phone, b_name: &str) -> String {
    let shared = ana_invites_with_a_question(a);
    b.tap(Action::Received {
        text: shared,
        source: Source::Share,
    });
    b.tap(Action::EditJoinAnswer {
        answer: "lisbon".into(),
    });
    b.tap(Action::SubmitJoin);
    let join = join_view(&b.view());
    assert_eq!(join.stage, JoinStage::ShowReply, "{:?}", join.error);
    a.tap(Action::Received {
        text: join.share_text,
        source: Source::Paste,
    });
    let v = a.wait_until("the first connection", connected);
    b.wait_until("the first connection on the joiner's side", connected);
    let id = conversation(&v).unwrap().id.clone();
    a.wait_until("the joiner's name", |v| {
        conversation(v).is_some_and(|c| c.title == b_name)
    });
    id
}

fn contact_view(v: &AppView) -> tincan_core::app::ContactView {
    match &v.screen {
        Screen::Contact { view } => view.clone(),
        other => panic!("expected the contact screen, got {other:#?}"),
    }
}

fn introduce_view(v: &AppView) -> tincan_core::app::IntroduceView {
    match &v.screen {
        Screen::Introduce { view } => view.clone(),
        other => panic!("expected the introduce picker, got {other:#?}"),
    }
}

/// Goes back to the list, then opens `conversation`'s contact screen.
fn open_contact(phone: &Phone, conversation: &str) -> tincan_core::app::ContactView {
    while phone.view().can_go_back {
        phone.tap(Action::Back);
    }
    phone.tap(Action::OpenConversation {
        id: conversation.into(),
    });
    phone.tap(Action::OpenContact);
    contact_view(&phone.view())
}

/// Ana introduces Ben to Cleo from Ben's contact screen; returns the introduction id
/// as Ben's list shows it.
fn ana_introduces(ana: &Phone, ben: &mut Phone, with_ben: &str, with_cleo: &str) -> String {
    let contact = open_contact(ana, with_ben);
    assert!(contact.can_introduce);
    ana.tap(Action::StartIntroduction);
    let picker = introduce_view(&ana.view());
    assert_eq!(picker.title, "Introduce Ben to…");
    assert!(picker.explanation.contains("Both are asked first"));
    let names: Vec<&str> = picker.candidates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Cleo"], "Ben himself is not offered");
    assert_eq!(picker.candidates[0].conversation, with_cleo);
    assert_eq!(picker.candidates[0].status, "connected");
    assert!(picker.empty.is_empty());
    ana.tap(Action::IntroduceTo {
        conversation: with_cleo.into(),
    });
    // Back on Ben's contact screen, told what happens.
    assert_eq!(contact_view(&ana.view()).name, "Ben");
    assert!(
        ana.notice().starts_with("You introduced Ben and Cleo."),
        "{}",
        ana.notice()
    );
    let v = ben.wait_until("the introduction on Ben's list", |v| {
        v.introductions
            .iter()
            .any(|r| r.can_answer && r.title == "Ana introduces Cleo")
    });
    let row = v.introductions.iter().find(|r| r.can_answer).unwrap();
    assert_eq!(row.stage, IntroductionStage::NeedsAnswer);
    assert!(row.detail.starts_with("Accept to talk with Cleo directly"));
    assert!(row.detail.contains("Expires"), "{}", row.detail);
    row.id.clone()
}

#[test]
fn ana_introduces_ben_to_cleo_cleo_says_no_then_yes_and_they_talk() {
    let (mut ana, mut ben, mut cleo) = (phone("Ana"), phone("Ben"), phone("Cleo"));
    let with_ben = connect_pair(&mut ana, &mut ben, "Ben");

    // With only Ben, there is nobody to introduce him to.
    let contact = open_contact(&ana, &with_ben);
    assert!(!contact.can_introduce);
    assert!(contact.introduced_by.is_empty());
    ana.tap(Action::StartIntroduction);
    let picker = introduce_view(&ana.view());
    assert!(picker.candidates.is_empty());
    assert!(picker.empty.contains("nobody else"), "{}", picker.empty);
    ana.tap(Action::Back);
    assert_eq!(contact_view(&ana.view()).name, "Ben");

    for phone in [&ana, &ben] {
        while phone.view().can_go_back {
            phone.tap(Action::Back);
        }
    }
    let with_cleo = connect_pair(&mut ana, &mut cleo, "Cleo");
    let ben_ana = ben.view().conversations[0].id.clone();

    // First try, while Ben's app is hidden: he gets one alert. Then Ben accepts, Cleo
    // declines; Ben is told, the rows go away.
    ben.tap(Action::SetVisible { visible: false });
    let first = ana_introduces(&ana, &mut ben, &with_ben, &with_cleo);
    let alerts = ben.wait_until("the alert", |v| !v.alerts.is_empty()).alerts;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].title, "Ana introduces Cleo");
    assert_eq!(
        alerts[0].body,
        "Open Tincan to accept or decline meeting Cleo."
    );
    assert_eq!(alerts[0].conversation, ben_ana);
    ben.tap(Action::AlertsShown {
        up_to: alerts[0].id,
    });
    ben.tap(Action::SetVisible { visible: true });
    ben.tap(Action::AcceptIntroduction { id: first.clone() });
    let v = ben.wait_until("Ben waiting for Cleo", |v| {
        v.introductions
            .iter()
            .any(|r| r.id == first && r.stage == IntroductionStage::WaitingForOther)
    });
    let row = v.introductions.iter().find(|r| r.id == first).unwrap();
    assert!(!row.can_answer);
    assert!(row
        .detail
        .starts_with("You accepted. Waiting for Cleo to accept"));
    let v = cleo.wait_until("the introduction on Cleo's list", |v| {
        v.introductions
            .iter()
            .any(|r| r.id == first && r.can_answer)
    });
    assert_eq!(v.introductions[0].title, "Ana introduces Ben");
    cleo.tap(Action::DeclineIntroduction { id: first.clone() });
    assert!(cleo.view().introductions.is_empty());
    assert!(
        cleo.notice()
            .starts_with("You declined. Ana and Ben are told"),
        "{}",
        cleo.notice()
    );
    let v = ben.wait_until("Ben told that Cleo declined", |v| {
        v.introductions.is_empty()
            && v.notice
                .as_ref()
                .is_some_and(|n| n.text.starts_with("The introduction to Cleo ended."))
    });
    assert!(v.notice.unwrap().text.contains("declined"));
    ana.wait_until("Ana sees both answers on Ben's contact", |v| {
        matches!(&v.screen, Screen::Contact { view } if view.introductions_made
            == ["Introduced to Cleo · Ben accepted · Cleo declined"])
    });

    // Second try: both accept, and they talk with no codes.
    let second = ana_introduces(&ana, &mut ben, &with_ben, &with_cleo);
    assert_ne!(second, first);
    // Introducing the same two again while they decide is refused, in words.
    ana.tap(Action::StartIntroduction);
    ana.tap(Action::IntroduceTo {
        conversation: with_cleo.clone(),
    });
    let notice = ana.view().notice.unwrap();
    assert!(notice.is_error);
    assert!(
        notice.text.contains("already introduced these two"),
        "{}",
        notice.text
    );
    ana.tap(Action::IntroduceTo {
        conversation: with_ben.clone(),
    });
    assert!(
        ana.notice().contains("two different people"),
        "{}",
        ana.notice()
    );
    ana.tap(Action::Back);

    ben.tap(Action::AcceptIntroduction { id: second.clone() });
    cleo.wait_until("the second introduction on Cleo's list", |v| {
        v.introductions
            .iter()
            .any(|r| r.id == second && r.can_answer)
    });
    cleo.tap(Action::AcceptIntroduction { id: second.clone() });
    for (phone, other) in [(&mut ben, "Cleo"), (&mut cleo, "Ben")] {
        let v = phone.wait_until("the introduced conversation in the list", |v| {
            v.introductions.is_empty()
                && v.conversations
                    .iter()
                    .any(|r| r.id == second && r.title == other)
        });
        assert_eq!(v.conversations.len(), 2, "Ana and the new contact");
        let connected_notice = format!("You and {other} are connected. Compare safety numbers");
        phone.wait_until("told they are connected", |v| {
            v.notice
                .as_ref()
                .is_some_and(|n| n.text.starts_with(&connected_notice))
        });
        phone.tap(Action::OpenConversation { id: second.clone() });
        phone.wait_until("the introduced pair connected", connected);
    }
    ben.tap(Action::Send {
        text: "hi Cleo, Ana says you knit".into(),
    });
    cleo.wait_until("Ben's message", |v| {
        ticks_of(v, "hi Cleo, Ana says you knit") == Some(Delivery::Incoming)
    });
    cleo.tap(Action::Send {
        text: "I do!".into(),
    });
    ben.wait_until("Cleo's answer", |v| {
        ticks_of(v, "I do!") == Some(Delivery::Incoming)
    });

    // Cleo is "introduced by Ana, not verified" until Ben compares safety numbers.
    ben.tap(Action::OpenContact);
    let contact = contact_view(&ben.view());
    assert_eq!(contact.name, "Cleo");
    assert_eq!(
        contact.introduced_by,
        "Introduced by Ana · not verified — compare safety numbers to be sure this is \
         really Cleo"
    );
    assert!(!contact.verified);
    ben.tap(Action::SetVerified { verified: true });
    let contact = contact_view(&ben.view());
    assert!(contact.verified);
    assert!(contact.introduced_by.is_empty());
    // Ana, on Ben's side, is not introduced by anyone.
    assert!(open_contact(&ben, &ben_ana).introduced_by.is_empty());

    ana.wait_until("Ana sees both accepted", |v| {
        matches!(&v.screen, Screen::Contact { view } if view.introductions_made.iter().any(|l| l
            == "Introduced to Cleo · Ben accepted · Cleo accepted"))
    });
}

fn room_view(v: &AppView) -> tincan_core::app::RoomView {
    match &v.screen {
        Screen::Room { view } => view.clone(),
        other => panic!("expected a room, got {other:#?}"),
    }
}

/// Goes back to the list, then opens the room.
fn open_room(phone: &Phone, id: &str) -> tincan_core::app::RoomView {
    while phone.view().can_go_back {
        phone.tap(Action::Back);
    }
    phone.tap(Action::OpenRoom { id: id.into() });
    room_view(&phone.view())
}

fn room_shows(v: &AppView, id: &str, author: &str, text: &str) -> bool {
    matches!(&v.screen, Screen::Room { view } if view.id == id
        && view.posts.iter().any(|p| p.author_name == author && p.text == text && p.readable))
}

#[test]
fn ana_makes_a_room_with_ben_and_cleo_they_talk_and_ben_is_removed() {
    let mut ana = phone("Ana");
    let mut ben = phone("Ben");
    let mut cleo = phone("Cleo");
    let with_ben = connect_pair(&mut ana, &mut ben, "Ben");
    ana.tap(Action::Back);
    let with_cleo = connect_pair(&mut ana, &mut cleo, "Cleo");
    while ana.view().can_go_back {
        ana.tap(Action::Back);
    }
    assert!(ana.view().rooms.is_empty());

    // Making it: nothing can be made without a name and a contact.
    ana.tap(Action::StartRoom);
    let new = match ana.view().screen {
        Screen::NewRoom { view } => view,
        other => panic!("expected the new room screen, got {other:#?}"),
    };
    assert!(!new.can_create);
    let names: Vec<_> = new.candidates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Ben", "Cleo"]);
    ana.tap(Action::CreateRoom);
    match ana.view().screen {
        Screen::NewRoom { view } => {
            assert_eq!(view.error.as_deref(), Some("Give the room a name."))
        }
        other => panic!("expected the new room screen, got {other:#?}"),
    }
    ana.tap(Action::EditRoomName {
        name: "Picnic".into(),
    });
    for conversation in [&with_ben, &with_cleo] {
        ana.tap(Action::ChooseRoomMember {
            conversation: conversation.clone(),
            chosen: true,
        });
    }
    ana.tap(Action::CreateRoom);
    let room = room_view(&ana.view());
    assert_eq!(room.name, "Picnic");
    assert_eq!(room.subtitle, "3 members · you are an admin");
    assert!(room.is_admin && room.can_post && room.banner.is_empty());
    let labels: Vec<_> = room.members.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(labels, ["You · admin", "Ben", "Cleo"]);
    let removable: Vec<_> = room.members.iter().map(|m| m.can_remove).collect();
    assert_eq!(removable, [false, true, true]);
    assert!(
        room.members.iter().all(|m| !m.not_contact),
        "Ana knows both"
    );
    assert!(!room.can_add, "everyone Ana knows is in it");
    let ben_key = room.members[1].key.clone();
    let id = room.id.clone();

    ana.tap(Action::PostToRoom {
        text: "Saturday at noon?".into(),
    });
    assert!(room_shows(&ana.view(), &id, "you", "Saturday at noon?"));

    // Ben sees the room in his list, unread, then opens it: no admin rights.
    let v = ben.wait_until("the room in Ben's list", |v| {
        v.rooms
            .iter()
            .any(|r| r.id == id && r.preview == "Ana: Saturday at noon?" && r.unread == 1)
    });
    assert_eq!(v.rooms[0].members_text, "3 members");
    let room = open_room(&ben, &id);
    assert!(!room.is_admin && room.can_post && room.can_leave);
    assert!(room.members.iter().all(|m| !m.can_remove));
    assert!(room.addable.is_empty() && !room.can_add);
    let ana_member = room.members.iter().find(|m| m.name == "Ana").unwrap();
    assert_eq!(ana_member.label, "Ana · admin");
    assert_eq!(ben.view().rooms[0].unread, 0, "opening the room read it");

    // Cleo, not Ben's contact, posts: it reaches Ben through Ana, under the name
    // she gave, marked.
    cleo.wait_until("the room on Cleo's phone", |v| {
        v.rooms.iter().any(|r| r.id == id)
    });
    open_room(&cleo, &id);
    cleo.tap(Action::PostToRoom {
        text: "I'll bring bread".into(),
    });
    let v = ben.wait_until("Cleo's post on Ben's phone", |v| {
        room_shows(v, &id, "Cleo (not your contact)", "I'll bring bread")
    });
    let post = room_view(&v)
        .posts
        .into_iter()
        .find(|p| p.text == "I'll bring bread")
        .unwrap();
    assert!(post.not_contact && !post.mine);
    // The members tab marks her too; Ana and Ben himself are not marked.
    let marks: Vec<_> = room_view(&v)
        .members
        .into_iter()
        .map(|m| (m.label, m.not_contact))
        .collect();
    assert_eq!(
        marks,
        [
            ("You".to_owned(), false),
            ("Ana · admin".to_owned(), false),
            ("Cleo (not your contact)".to_owned(), true)
        ]
    );
    let order: Vec<_> = room_view(&v).posts.into_iter().map(|p| p.text).collect();
    assert_eq!(
        order,
        ["Saturday at noon?", "I'll bring bread"],
        "oldest first"
    );
    ana.wait_until("Cleo's post on Ana's phone", |v| {
        room_shows(v, &id, "Cleo", "I'll bring bread")
    });

    // Ana removes Ben: his view says so and offers no composer.
    ana.tap(Action::RemoveRoomMember {
        member: ben_key.clone(),
    });
    assert!(ana.notice().starts_with("Removed."), "{}", ana.notice());
    let room = room_view(&ana.view());
    assert_eq!(room.members.len(), 2);
    let v = ben.wait_until(
        "Ben told he was removed",
        |v| matches!(&v.screen, Screen::Room { view } if !view.joined),
    );
    let room = room_view(&v);
    assert!(
        room.banner.starts_with("You were removed"),
        "{}",
        room.banner
    );
    assert!(!room.can_post && !room.can_leave);
    assert_eq!(v.rooms[0].preview, "You are no longer in this room");
    ben.tap(Action::PostToRoom {
        text: "wait".into(),
    });
    assert_eq!(ben.notice(), "You are no longer in this room.");

    // What Ana posts now reaches Cleo, never Ben. Cleo's app is in the background:
    // the post is an alert that opens the room, and unread until she looks.
    cleo.tap(Action::SetVisible { visible: false });
    ana.tap(Action::PostToRoom {
        text: "Ben is out".into(),
    });
    let v = cleo.wait_until("Ana's post after the removal, as an alert", |v| {
        room_shows(v, &id, "Ana", "Ben is out") && !v.alerts.is_empty()
    });
    let alert = v.alerts.last().unwrap().clone();
    assert_eq!(
        (
            alert.title.as_str(),
            alert.body.as_str(),
            alert.conversation.as_str()
        ),
        ("Picnic", "Ana: Ben is out", id.as_str())
    );
    assert_eq!(v.rooms[0].unread, 1);
    // Replying from the alert (the phones' notification reply) posts to the room.
    cleo.tap(Action::SendTo {
        id: alert.conversation.clone(),
        text: "see you there".into(),
    });
    assert!(cleo.notice().is_empty(), "{}", cleo.notice());
    ana.wait_until("Cleo's reply from the alert", |v| {
        v.rooms[0].preview == "Cleo: see you there"
    });
    cleo.tap(Action::SetVisible { visible: true });
    assert_eq!(cleo.view().rooms[0].unread, 0);
    cleo.tap(Action::Back);
    cleo.tap(Action::OpenConversation {
        id: alert.conversation,
    });
    assert_eq!(room_view(&cleo.view()).id, id);
    std::thread::sleep(Duration::from_millis(500));
    assert!(room_view(&ben.view())
        .posts
        .iter()
        .all(|p| p.text != "Ben is out"));

    // A member may leave; the room says they left.
    cleo.tap(Action::LeaveRoom);
    assert_eq!(cleo.notice(), "You left the room.");
    let room = room_view(&cleo.view());
    assert!(
        room.banner.starts_with("You left this room"),
        "{}",
        room.banner
    );
    for phone in [ana, ben, cleo] {
        phone.app.shutdown();
    }
}

#[test]
fn the_holding_switch_is_kept_across_a_restart() {
    let ana = phone("Ana");
    ana.tap(Action::OpenSettings);
    ana.tap(Action::OpenNetwork);
    let network = |app: &App| match app.view().screen {
        Screen::Network { view } => view,
        other => panic!("expected the network screen, got {other:#?}"),
    };
    let view = network(&ana.app);
    assert!(!view.holding);
    assert_eq!(view.held_count, 0);
    assert_eq!(view.held_text, "Holding no letters right now.");
    assert!(view.relays.is_empty() && !view.relays_empty.is_empty());
    ana.tap(Action::SetHolding { on: true });
    assert!(network(&ana.app).holding);
    assert!(ana.notice().contains("holds sealed letters"));
    let Phone {
        app, secrets, dir, ..
    } = ana;
    app.shutdown();
    drop(app);
    let reopened = App::open(config(dir.path(), secrets.clone())).unwrap();
    assert!(reopened.node().holding());
    reopened.dispatch(Action::OpenSettings);
    reopened.dispatch(Action::OpenNetwork);
    assert!(network(&reopened).holding);
    reopened.dispatch(Action::SetHolding { on: false });
    assert!(!network(&reopened).holding);
    reopened.shutdown();
    drop(reopened);
    let again = App::open(config(dir.path(), secrets)).unwrap();
    assert!(!again.node().holding());
    again.shutdown();
}

/// The network screen with real traffic: Ana (an app) holds letters for her contacts;
/// Ben and Cleo (nodes, each a contact of Ana and of each other). Cleo is away and Ben
/// writes to her: Ana's screen counts the sealed letter Ben handed her. Cleo comes back
/// and gets it from Ana; the screen then says Ana holds nothing.
#[test]
fn the_network_screen_counts_letters_held_for_an_offline_contact() {
    use common::device::{connect, Device};
    use tincan_core::node::ReconnectPolicy;
    let dir = tempfile::tempdir().unwrap();
    let start = |device: &Device| {
        device.start_with(|config| {
            config.reconnect = ReconnectPolicy {
                attempt_window: Duration::from_secs(2),
                first_delay: Duration::from_millis(200),
                max_delay: Duration::from_secs(1),
                ..ReconnectPolicy::default()
            };
        })
    };
    let (b, c) = (
        Device::new("Ben", dir.path()),
        Device::new("Cleo", dir.path()),
    );
    let (ben, cleo) = (start(&b), start(&c));
    let mut ana = phone("Ana");
    // The app takes its node's events, so wait on the node's peers instead.
    let meet_ana = |other: &tincan_core::node::Node| {
        let node = ana.app.node();
        let invite = node
            .create_invite(tincan_core::node::InviteRequest {
                protection: tincan_core::node::Protection::Open,
                lifetime_secs: None,
            })
            .unwrap();
        let joined = other.join(&invite.code, None).unwrap();
        let peer = node.accept_reply(&joined.reply_code).unwrap();
        let deadline = Instant::now() + WAIT;
        let up = |n: &tincan_core::node::Node| {
            n.peers()
                .iter()
                .any(|p| p.peer == peer && p.state == tincan_core::node::PeerState::Connected)
        };
        while !(up(&node) && up(other)) {
            assert!(Instant::now() < deadline, "Ana never connected");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    meet_ana(&ben);
    meet_ana(&cleo);
    let ben_cleo = connect(&ben, &cleo);
    ana.tap(Action::OpenSettings);
    ana.tap(Action::OpenNetwork);
    ana.tap(Action::SetHolding { on: true });
    let held = |v: &AppView| match &v.screen {
        Screen::Network { view } => (view.held_count, view.held_text.clone()),
        _ => (u32::MAX, String::new()),
    };

    cleo.shutdown();
    drop(cleo);
    ben.send(&ben_cleo, "while you were away").unwrap();
    let view = ana.wait_until("one letter held", |v| held(v).0 == 1);
    let (_, text) = held(&view);
    assert!(
        text.starts_with("Holding 1 letter (") && text.ends_with("for a contact who is offline."),
        "{text}"
    );

    ben.shutdown();
    drop(ben);
    let cleo = start(&c);
    common::expect_received(&cleo, &ben_cleo, "while you were away");
    // The screen is drawn again on the node's next event; wait on the node, then look.
    let deadline = Instant::now() + WAIT;
    while ana.app.node().held_letters().unwrap().0 != 0 {
        assert!(Instant::now() < deadline, "Ana still holds the letter");
        std::thread::sleep(Duration::from_millis(100));
    }
    ana.tap(Action::Back);
    ana.tap(Action::OpenNetwork);
    let view = ana.view();
    assert_eq!(held(&view), (0, "Holding no letters right now.".to_owned()));
    cleo.shutdown();
    ana.app.shutdown();
}
