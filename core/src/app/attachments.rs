//! Files and photos in a conversation, as the screens show them: the picked file
//! waiting for Send (with the photo metadata switch), each attachment's state in
//! words and buttons, and the transfer events that move them. The bytes themselves
//! are the node's (`crate::node::files`, docs/FILES.md).

use std::path::{Path, PathBuf};

use super::state::{Picked, State};
use super::view::{AttachmentState, AttachmentView, PickedFileView};
use super::words;
use super::App;
use crate::files::{outgoing, photo};
use crate::store::{AttachmentRecord, FileState};

/// What the photo note says while the metadata is removed (the default).
pub const METADATA_REMOVED: &str =
    "Location and camera details are removed from the photo before it is sent.";
/// What the photo note says when the person keeps the metadata.
pub const METADATA_KEPT: &str =
    "Location and camera details are kept: whoever gets the photo can see where it was taken.";

/// The person picked a file for the open conversation.
pub fn pick(app: &App, path: &str) {
    let Some(conversation) = app.state().open_conversation().map(str::to_owned) else {
        app.state().warn("Open a conversation to send a file.");
        return;
    };
    let path = PathBuf::from(path);
    let mut state = app.state();
    match read_picked(&path) {
        Ok((size, is_photo, unstrippable)) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "file".into());
            state.picked = Some(Picked {
                conversation,
                path,
                name,
                size,
                is_photo: is_photo || unstrippable.is_some(),
                unstrippable,
                keep_metadata: false,
            });
        }
        Err(e) => state.warn(format!("That file cannot be sent: {e}.")),
    }
}

/// Size, whether it is a photo the core can preview and strip, and the kind of a
/// picture whose metadata cannot be removed — judged as sending will judge it
/// (`files::outgoing`).
fn read_picked(path: &Path) -> Result<(u64, bool, Option<&'static str>), String> {
    let meta = std::fs::metadata(path).map_err(|_| "it could not be read".to_owned())?;
    if !meta.is_file() {
        return Err("it is not a file".into());
    }
    let (mime, head) = outgoing::mime_of(path).map_err(|_| "it could not be read".to_owned())?;
    Ok((
        meta.len(),
        photo::is_photo(&mime),
        outgoing::unstrippable_picture(&head),
    ))
}

/// Sends the picked file (it must belong to the open conversation).
pub fn send_picked(app: &App) {
    let picked = {
        let mut state = app.state();
        let open = state.open_conversation().map(str::to_owned);
        match state.picked.take() {
            Some(p) if Some(p.conversation.as_str()) == open.as_deref() => p,
            other => {
                state.picked = other;
                return;
            }
        }
    };
    if let (Some(kind), false) = (picked.unstrippable, picked.keep_metadata) {
        let mut state = app.state();
        state.warn(format!(
            "Tincan cannot remove location and camera details from {kind} pictures. Turn on \
             \"Keep location and camera details\" to send it as it is."
        ));
        state.picked = Some(picked);
        return;
    }
    // Hashing reads the whole file once: this runs on the caller's thread, which
    // the shells keep off their UI thread (as for every dispatch).
    let strip = !picked.keep_metadata;
    if let Err(e) = app
        .node()
        .send_file(&picked.conversation, &picked.path, strip)
    {
        let mut state = app.state();
        state.warn(format!("{} was not sent: {e}", picked.name));
        state.picked = Some(picked);
    }
}

/// The picked-file panel of a conversation, if one waits for it.
pub fn picked_view(state: &State, conversation: &str) -> Option<PickedFileView> {
    let p = state
        .picked
        .as_ref()
        .filter(|p| p.conversation == conversation)?;
    Some(PickedFileView {
        name: p.name.clone(),
        size_text: words::size(p.size),
        is_photo: p.is_photo,
        metadata_note: match (p.is_photo, p.unstrippable, p.keep_metadata) {
            (false, _, _) => String::new(),
            (true, Some(kind), false) => format!(
                "Tincan cannot remove location and camera details from {kind} pictures: \
                 send it only with them, or pick another."
            ),
            (true, None, false) => METADATA_REMOVED.into(),
            (true, _, true) => METADATA_KEPT.into(),
        },
        keep_metadata_label: if p.is_photo {
            "Keep location and camera details".into()
        } else {
            String::new()
        },
        keep_metadata: p.keep_metadata,
        send_label: if p.is_photo {
            "Send photo".into()
        } else {
            "Send file".into()
        },
    })
}

/// How an attachment looks. `progress` is the newest (done, total) of a running
/// transfer; `name` the contact's; `connected` whether bytes can move now.
pub fn attachment_view(
    a: &AttachmentRecord,
    progress: Option<(u64, u64)>,
    name: &str,
    connected: bool,
) -> AttachmentView {
    let size = words::size(a.size);
    let done = progress.map(|(d, _)| d).unwrap_or(a.done_bytes).min(a.size);
    let percent = |done: u64| -> u32 {
        done.saturating_mul(100)
            .checked_div(a.size)
            .map_or(0, |p| u32::try_from(p).unwrap_or(100))
    };
    let reason = a.error.clone().unwrap_or_default();
    let (state, status) = match (a.state, a.outgoing) {
        (FileState::Offered, false) => (
            AttachmentState::NeedsAnswer,
            format!("{size} · Download it?"),
        ),
        (FileState::Offered, true) => (
            AttachmentState::Offered,
            if connected {
                format!("{size} · Waiting for {name} to accept")
            } else {
                format!("{size} · Sent when {name} is back")
            },
        ),
        (FileState::Accepted, outgoing) => (
            AttachmentState::Transferring,
            match (connected, done, outgoing) {
                (false, 0, true) => format!("{size} · Sent when {name} is back"),
                (false, 0, false) => format!("{size} · Downloads when {name} is back"),
                (false, d, _) => {
                    format!("{} of {size} · Paused until {name} is back", words::size(d))
                }
                (true, 0, true) => format!("{size} · Starting to send…"),
                (true, 0, false) => format!("{size} · Starting to download…"),
                (true, d, _) => format!("{} of {size}", words::size(d)),
            },
        ),
        (FileState::Complete, true) => (AttachmentState::Complete, format!("{size} · Sent")),
        (FileState::Complete, false) => (AttachmentState::Complete, size.clone()),
        (FileState::Declined, true) => (
            AttachmentState::Declined,
            format!("{size} · {name} declined it"),
        ),
        (FileState::Declined, false) => (AttachmentState::Declined, format!("{size} · Declined")),
        (FileState::Failed, _) if reason.is_empty() => {
            (AttachmentState::Failed, format!("{size} · Not sent"))
        }
        (FileState::Failed, true) => (
            AttachmentState::Failed,
            format!("{size} · Not sent: {reason}"),
        ),
        (FileState::Failed, false) => (
            AttachmentState::Failed,
            format!("{size} · Not received: {reason}"),
        ),
    };
    let incoming_open = !a.outgoing && !a.state.is_final();
    let path = match (a.state, a.outgoing) {
        (FileState::Complete, false) => a.path.clone().unwrap_or_default(),
        _ => String::new(),
    };
    AttachmentView {
        id: a.id.clone(),
        name: a.name.clone(),
        size_text: size,
        mime: a.mime.clone(),
        is_photo: photo::is_photo(&a.mime),
        preview_jpeg: a.preview.clone(),
        state,
        progress_percent: match a.state {
            FileState::Complete => 100,
            FileState::Accepted => percent(done),
            _ => 0,
        },
        status,
        can_accept: !a.outgoing && a.state == FileState::Offered,
        can_decline: incoming_open,
        can_open: !path.is_empty(),
        path,
    }
}

/// One line for the conversation list or an alert: "Photo", "📎 report.pdf".
pub fn summary_line(a: &AttachmentRecord) -> String {
    if photo::is_photo(&a.mime) {
        "📷 Photo".into()
    } else {
        format!("📎 {}", words::preview(&a.name, 50))
    }
}

/// An offer's alert body ("Sent you a photo (2.1 MB)").
pub fn offer_alert(name: &str, size: u64, is_photo: bool, needs_accept: bool) -> String {
    let what = if is_photo {
        "a photo".to_owned()
    } else {
        format!("a file: {}", words::preview(name, 60))
    };
    let ask = if needs_accept {
        " · Open the chat to download it"
    } else {
        ""
    };
    format!("Sent you {what} ({}){ask}", words::size(size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: FileState, outgoing: bool) -> AttachmentRecord {
        AttachmentRecord {
            seq: 7,
            conversation: "c".into(),
            id: "t1".into(),
            outgoing,
            name: "holiday.jpg".into(),
            mime: "image/jpeg".into(),
            size: 40_000_000,
            hash: "00".into(),
            path: Some("/data/files/received/holiday.jpg".into()),
            source_mtime: None,
            preview: Some(vec![0xff, 0xd8]),
            state,
            done_bytes: 0,
            error: None,
            tell_peer: false,
        }
    }

    #[test]
    fn a_large_offer_asks_before_downloading() {
        let v = attachment_view(&record(FileState::Offered, false), None, "Ben", true);
        assert_eq!(v.state, AttachmentState::NeedsAnswer);
        assert_eq!(v.status, "40.0 MB · Download it?");
        assert!(v.can_accept && v.can_decline && !v.can_open);
        assert!(v.is_photo);
        assert_eq!(v.preview_jpeg.as_deref(), Some(&[0xff, 0xd8][..]));
        assert!(v.path.is_empty(), "nothing to open before it arrived");
    }

    #[test]
    fn progress_reads_as_bytes_of_the_whole() {
        let a = record(FileState::Accepted, false);
        let v = attachment_view(&a, Some((12_000_000, 40_000_000)), "Ben", true);
        assert_eq!(v.state, AttachmentState::Transferring);
        assert_eq!(v.status, "12.0 MB of 40.0 MB");
        assert_eq!(v.progress_percent, 30);
        assert!(!v.can_accept && v.can_decline);
        // After a restart only the stored count is known; offline says it waits.
        let mut stored = a.clone();
        stored.done_bytes = 20_000_000;
        let v = attachment_view(&stored, None, "Ben", false);
        assert_eq!(v.status, "20.0 MB of 40.0 MB · Paused until Ben is back");
        assert_eq!(v.progress_percent, 50);
        let v = attachment_view(&record(FileState::Accepted, true), None, "Ben", false);
        assert_eq!(v.status, "40.0 MB · Sent when Ben is back");
        assert!(!v.can_decline, "the sender has no decline");
    }

    #[test]
    fn finished_attachments_say_how_they_ended() {
        let v = attachment_view(&record(FileState::Complete, false), None, "Ben", true);
        assert_eq!(v.state, AttachmentState::Complete);
        assert!(v.can_open && !v.can_decline && !v.can_accept);
        assert_eq!(v.path, "/data/files/received/holiday.jpg");
        assert_eq!(v.progress_percent, 100);
        let sent = attachment_view(&record(FileState::Complete, true), None, "Ben", true);
        assert_eq!(sent.status, "40.0 MB · Sent");
        assert!(!sent.can_open, "the sender's copy is the shell's own");
        assert!(sent.path.is_empty());
        let v = attachment_view(&record(FileState::Declined, true), None, "Ben", true);
        assert_eq!(v.status, "40.0 MB · Ben declined it");
        let mut failed = record(FileState::Failed, false);
        failed.error = Some("the file arrived damaged".into());
        let v = attachment_view(&failed, None, "Ben", true);
        assert_eq!(v.state, AttachmentState::Failed);
        assert_eq!(v.status, "40.0 MB · Not received: the file arrived damaged");
        assert!(!v.can_open && !v.can_decline);
    }

    #[test]
    fn list_lines_and_alerts_name_what_came() {
        assert_eq!(summary_line(&record(FileState::Offered, false)), "📷 Photo");
        let mut pdf = record(FileState::Offered, false);
        pdf.mime = "application/pdf".into();
        pdf.name = "report.pdf".into();
        assert_eq!(summary_line(&pdf), "📎 report.pdf");
        assert_eq!(
            offer_alert("report.pdf", 40_000_000, false, true),
            "Sent you a file: report.pdf (40.0 MB) · Open the chat to download it"
        );
        assert_eq!(
            offer_alert("x.jpg", 2_100_000, true, false),
            "Sent you a photo (2.1 MB)"
        );
    }
}
