//! The node's file calls: send a file or photo, accept or decline an offer, look
//! one up. The bytes move in `transfers.rs` while the conversation is connected.

use std::path::Path;

use super::conversation::unix_millis;
use super::peer::Command;
use super::{lock, Node, NodeError};
use crate::files::incoming::discard_partial;
use crate::files::outgoing::{prepare, SendOptions};
use crate::store::{AttachmentChange, AttachmentRecord, FileState};

pub use crate::store::AttachmentRecord as Attachment;

impl Node {
    /// Queues the file at `path` for `peer`, like a message: it survives restarts and
    /// offline spells, and its bytes go out when the peer asks for them. A photo gets
    /// a preview, and its metadata (location, camera) is removed first unless
    /// `strip_metadata` is off. Reads the whole file once to hash it: call it off the
    /// UI thread. Returns the transfer (and message) id.
    pub fn send_file(
        &self,
        peer: &str,
        path: &Path,
        strip_metadata: bool,
    ) -> Result<String, NodeError> {
        let slot = self.slot(peer)?;
        if !slot.durable {
            return Err(NodeError::Invalid(
                "files can be sent only to a Tincan contact, not to a browser page".into(),
            ));
        }
        let id = super::random_id();
        let ctx = &self.inner.ctx;
        let file = prepare(
            path,
            &id,
            SendOptions { strip_metadata },
            &ctx.files.dirs,
            ctx.files.limits.max_file_bytes,
        )?;
        lock(&self.inner.store).queue_attachment(peer, &id, &file, unix_millis())?;
        let _ = slot.commands.try_send(Command::Flush);
        Ok(id)
    }

    /// The person said yes to a large offer: its bytes are fetched when connected.
    pub fn accept_file(&self, peer: &str, id: &str) -> Result<(), NodeError> {
        let record = self.incoming_file(peer, id)?;
        if record.state != FileState::Offered {
            return Err(NodeError::Invalid(format!(
                "{} is already {}",
                record.name,
                record.state.as_str()
            )));
        }
        self.change_file(peer, &record, FileState::Accepted, None, false)
    }

    /// The person said no: the sender is told, nothing is kept.
    pub fn decline_file(&self, peer: &str, id: &str) -> Result<(), NodeError> {
        let record = self.incoming_file(peer, id)?;
        if record.state.is_final() {
            return Err(NodeError::Invalid(format!(
                "{} is already {}",
                record.name,
                record.state.as_str()
            )));
        }
        discard_partial(&self.inner.ctx.files.dirs, id);
        self.change_file(
            peer,
            &record,
            FileState::Declined,
            Some("declined by the receiver".into()),
            true,
        )
    }

    /// One attachment of a conversation, either direction (outgoing first).
    pub fn attachment(&self, peer: &str, id: &str) -> Result<Option<Attachment>, NodeError> {
        let store = lock(&self.inner.store);
        Ok(match store.attachment(peer, true, id)? {
            Some(a) => Some(a),
            None => store.attachment(peer, false, id)?,
        })
    }

    /// The attachments among a conversation's messages `from_seq..=to_seq` (a page
    /// of history).
    pub fn attachments_in(
        &self,
        peer: &str,
        from_seq: i64,
        to_seq: i64,
    ) -> Result<Vec<Attachment>, NodeError> {
        Ok(lock(&self.inner.store).attachments_in(peer, from_seq, to_seq)?)
    }

    /// Every attachment of a conversation, oldest first.
    pub fn files(&self, peer: &str) -> Result<Vec<Attachment>, NodeError> {
        Ok(lock(&self.inner.store).attachments_in(peer, 0, i64::MAX)?)
    }

    fn incoming_file(&self, peer: &str, id: &str) -> Result<AttachmentRecord, NodeError> {
        lock(&self.inner.store)
            .attachment(peer, false, id)?
            .ok_or_else(|| NodeError::Invalid(format!("there is no incoming file {id}")))
    }

    fn change_file(
        &self,
        peer: &str,
        record: &AttachmentRecord,
        state: FileState,
        error: Option<String>,
        tell_peer: bool,
    ) -> Result<(), NodeError> {
        let change = AttachmentChange {
            state,
            done_bytes: record.done_bytes,
            path: None,
            error,
            tell_peer,
        };
        lock(&self.inner.store).update_attachment(record.seq, &change)?;
        if let Ok(slot) = self.slot(peer) {
            let _ = slot.commands.try_send(Command::Flush);
        }
        Ok(())
    }
}
