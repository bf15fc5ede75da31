//! Files on a live link: one [`Transfers`] lives for one connected stretch of a
//! conversation. It asks for the bytes of files being received (from what the partial
//! file already holds), writes arriving chunks, streams the files the peer asks for,
//! and tells the peer of declines and failures decided while apart. Everything it
//! knows between stretches is in the store and the partial files, so a lost link, a
//! restart or `kill -9` only pauses a transfer.
//!
//! Sending runs as futures polled by the conversation's own loop (not spawned tasks):
//! they borrow its link, end with it, and share its back-pressure — `Link::send`
//! waits while a megabyte is unacknowledged, so a text message queued behind a file
//! waits for at most that much.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::stream::{FuturesUnordered, StreamExt};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::conversation::{unix_millis, Ctx};
use super::events::{Event, PeerId};
use crate::files::chunk::{self, CHUNK_BYTES};
use crate::files::incoming::{discard_partial, Receiving, Wrote};
use crate::files::outgoing::open_unchanged;
use crate::files::photo;
use crate::files::FileError;
use crate::link::Link;
use crate::store::{AttachmentChange, AttachmentRecord, FileState, NewAttachment};
use crate::wire::Frame;

/// Progress events at most this often per transfer.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

type Sending<'a> = Pin<Box<dyn Future<Output = (String, Result<(), String>)> + Send + 'a>>;

/// A file being received on this stretch.
struct Incoming {
    name: String,
    file: Receiving,
    last_chunk: Instant,
    asks: u32,
    last_event: Instant,
}

/// The transfers of one connected stretch.
pub(super) struct Transfers<'a> {
    ctx: &'a Ctx,
    peer: &'a PeerId,
    link: &'a Link,
    receiving: HashMap<String, Incoming>,
    sending: FuturesUnordered<Sending<'a>>,
    /// The newest ask per outgoing transfer: an older stream stops at its next chunk.
    asks: HashMap<String, Arc<AtomicU64>>,
}

fn lost(e: impl std::fmt::Display) -> String {
    format!("the connection broke: {e}")
}

impl<'a> Transfers<'a> {
    pub fn new(ctx: &'a Ctx, peer: &'a PeerId, link: &'a Link) -> Self {
        Self {
            ctx,
            peer,
            link,
            receiving: HashMap::new(),
            sending: FuturesUnordered::new(),
            asks: HashMap::new(),
        }
    }

    /// Whether files are arriving (the stall check runs only then).
    pub fn is_receiving(&self) -> bool {
        !self.receiving.is_empty()
    }

    /// Whether files are being sent (the loop polls [`Transfers::next_sent`] only then).
    pub fn is_sending(&self) -> bool {
        !self.sending.is_empty()
    }

    /// The next outgoing stream that ended (all handed to the link, superseded, or
    /// failed).
    pub async fn next_sent(&mut self) -> Option<(String, Result<(), String>)> {
        self.sending.next().await
    }

    /// Brings the live transfers in line with the store: tells the peer of declines
    /// and failures not yet told, drops files no longer wanted, and asks for the
    /// bytes of accepted ones, up to the running limit. Run when a stretch starts and
    /// after the person accepts or declines.
    pub async fn resume(&mut self) -> Result<(), String> {
        let open = self
            .ctx
            .store()
            .open_attachments(self.peer)
            .map_err(|e| e.to_string())?;
        let wanted: Vec<&str> = open
            .iter()
            .filter(|a| !a.outgoing && a.state == FileState::Accepted)
            .map(|a| a.id.as_str())
            .collect();
        let gone: Vec<String> = self
            .receiving
            .keys()
            .filter(|id| !wanted.contains(&id.as_str()))
            .cloned()
            .collect();
        for id in gone {
            if let Some(mut incoming) = self.receiving.remove(&id) {
                incoming.file.discard();
            }
        }
        for a in open {
            if a.tell_peer {
                let refuse = Frame::Refuse {
                    id: a.id.clone(),
                    reason: a.error.clone().unwrap_or_else(|| "stopped".into()),
                    declined: a.state == FileState::Declined,
                };
                self.link.send(&refuse.encode()).await.map_err(lost)?;
                self.record(&a, a.state, a.done_bytes, None, a.error.clone(), false);
            } else if !a.outgoing
                && a.state == FileState::Accepted
                && !self.receiving.contains_key(&a.id)
                && self.receiving.len() < self.ctx.files.limits.max_running
            {
                self.want(a).await?;
            }
        }
        Ok(())
    }

    /// Opens the partial file of an accepted incoming transfer and asks for the rest.
    async fn want(&mut self, a: AttachmentRecord) -> Result<(), String> {
        let dirs = &self.ctx.files.dirs;
        let opened = Receiving::open(dirs, &a.id, a.size, &a.hash).and_then(|r| {
            let needed =
                (a.size - r.offset).saturating_add(self.ctx.files.limits.free_space_margin);
            let free = fs4::available_space(&dirs.partial).unwrap_or(u64::MAX);
            if free < needed {
                return Err(FileError::NoSpace { needed, free });
            }
            Ok(r)
        });
        let file = match opened {
            Ok(file) => file,
            Err(e) => return self.fail_incoming(&a, e).await,
        };
        let offset = file.offset;
        let incoming = Incoming {
            name: a.name.clone(),
            file,
            last_chunk: Instant::now(),
            asks: 0,
            last_event: Instant::now(),
        };
        if offset == a.size {
            return self.complete(a.id.clone(), incoming).await;
        }
        self.receiving.insert(a.id.clone(), incoming);
        let want = Frame::Want { id: a.id, offset };
        self.link.send(&want.encode()).await.map_err(lost)
    }

    /// A file offer from the peer: stored (once), acknowledged, and accepted at once
    /// unless too large.
    #[allow(clippy::too_many_arguments)]
    pub async fn on_offer(
        &mut self,
        id: String,
        sent_at: u64,
        name: String,
        mime: String,
        size: u64,
        hash: String,
        preview: Option<String>,
    ) -> Result<(), String> {
        let limits = &self.ctx.files.limits;
        let preview = preview.and_then(|b64| checked_preview(&b64));
        let (state, error) = if size > limits.max_file_bytes {
            let e = FileError::TooLarge {
                size,
                max: limits.max_file_bytes,
            };
            (FileState::Declined, Some(e.to_string()))
        } else if size > limits.auto_accept_bytes {
            (FileState::Offered, None)
        } else {
            (FileState::Accepted, None)
        };
        let file = NewAttachment {
            name: name.clone(),
            mime,
            size,
            hash,
            path: None,
            source_mtime: None,
            preview,
        };
        let stored = self.ctx.store().store_incoming_attachment(
            self.peer,
            &id,
            &file,
            state,
            sent_at,
            unix_millis(),
        );
        match stored {
            Ok(Some(record)) => {
                self.ctx.events.push(Event::FileOffered {
                    peer: self.peer.clone(),
                    id: id.clone(),
                    name,
                    size,
                    needs_accept: state == FileState::Offered,
                });
                if let Some(reason) = error {
                    self.record(&record, state, 0, None, Some(reason), true);
                }
            }
            Ok(None) => tracing::debug!(peer = %self.peer, "repeat of offer {id}"),
            Err(e) => {
                // Not stored: no ack, so the peer offers it again.
                tracing::warn!(peer = %self.peer, "could not store a file offer: {e}");
                return Ok(());
            }
        }
        self.link
            .send(&Frame::Ack { id }.encode())
            .await
            .map_err(lost)?;
        self.resume().await
    }

    /// A chunk from the peer.
    pub async fn on_chunk(&mut self, frame: &[u8]) -> Result<(), String> {
        let piece = match chunk::decode(frame) {
            Ok(piece) => piece,
            Err(e) => {
                tracing::warn!(peer = %self.peer, "dropped a chunk: {e}");
                return Ok(());
            }
        };
        let Some(incoming) = self.receiving.get_mut(piece.id) else {
            tracing::debug!(peer = %self.peer, "chunk of {} not being received", piece.id);
            return Ok(());
        };
        let id = piece.id.to_owned();
        match incoming.file.write(&piece) {
            Ok(Wrote::More) => {
                incoming.last_chunk = Instant::now();
                incoming.asks = 0;
                if incoming.last_event.elapsed() >= PROGRESS_EVERY {
                    incoming.last_event = Instant::now();
                    self.ctx.events.push(Event::FileProgress {
                        peer: self.peer.clone(),
                        id,
                        outgoing: false,
                        done: incoming.file.offset,
                        total: incoming.file.size,
                    });
                }
                Ok(())
            }
            // Left over from an earlier ask; the stall check asks again if needed.
            Ok(Wrote::Repeat | Wrote::Gap) => Ok(()),
            Ok(Wrote::Done) => {
                let incoming = self.receiving.remove(&id).ok_or("vanished")?;
                self.complete(id, incoming).await?;
                self.resume().await
            }
            Err(e) => {
                let mut incoming = self.receiving.remove(&id).ok_or("vanished")?;
                incoming.file.discard();
                let record = self.incoming_record(&id)?;
                self.fail_incoming(&record, e).await?;
                self.resume().await
            }
        }
    }

    /// Every byte is here: check, keep, tell both sides.
    async fn complete(&mut self, id: String, incoming: Incoming) -> Result<(), String> {
        let record = self.incoming_record(&id)?;
        let size = incoming.file.size;
        let kept = incoming
            .file
            .finish(&self.ctx.files.dirs, &incoming.name)
            .and_then(|path| {
                refuse_giant_picture(&path)?;
                Ok(path)
            });
        let path = match kept {
            Ok(path) => path.to_string_lossy().into_owned(),
            Err(e) => return self.fail_incoming(&record, e).await,
        };
        self.record(
            &record,
            FileState::Complete,
            size,
            Some(path.clone()),
            None,
            false,
        );
        self.ctx.events.push(Event::FileDone {
            peer: self.peer.clone(),
            id: id.clone(),
            outgoing: false,
            path: Some(path),
        });
        self.link
            .send(&Frame::Got { id }.encode())
            .await
            .map_err(lost)
    }

    /// Gives an incoming transfer up: no partial file left, both sides told.
    async fn fail_incoming(&mut self, a: &AttachmentRecord, e: FileError) -> Result<(), String> {
        tracing::info!(peer = %self.peer, "file {} failed: {e}", a.id);
        discard_partial(&self.ctx.files.dirs, &a.id);
        let reason = e.to_string();
        self.record(
            a,
            FileState::Failed,
            a.done_bytes,
            None,
            Some(reason.clone()),
            true,
        );
        self.ctx.events.push(Event::FileStopped {
            peer: self.peer.clone(),
            id: a.id.clone(),
            outgoing: false,
            declined: false,
            reason: reason.clone(),
        });
        let refuse = Frame::Refuse {
            id: a.id.clone(),
            reason,
            declined: false,
        };
        self.link.send(&refuse.encode()).await.map_err(lost)?;
        self.record(a, FileState::Failed, a.done_bytes, None, None, false);
        Ok(())
    }

    /// The peer asks for the bytes of one of our files from `offset` on.
    pub fn on_want(&mut self, id: String, offset: u64) {
        let record = match self.ctx.store().attachment(self.peer, true, &id) {
            Ok(Some(record)) if !record.state.is_final() => record,
            Ok(_) => {
                tracing::debug!(peer = %self.peer, "asked for {id}, which is not open");
                return;
            }
            Err(e) => {
                tracing::warn!(peer = %self.peer, "could not look up {id}: {e}");
                return;
            }
        };
        if record.state == FileState::Offered {
            self.record(&record, FileState::Accepted, offset, None, None, false);
        }
        let ask = self
            .asks
            .entry(id.clone())
            .or_insert_with(|| Arc::new(AtomicU64::new(0)));
        let mine = ask.fetch_add(1, Ordering::AcqRel) + 1;
        let ask = ask.clone();
        let (ctx, peer, link) = (self.ctx, self.peer, self.link);
        self.sending.push(Box::pin(async move {
            let sent = stream(ctx, peer, link, &record, offset, &ask, mine).await;
            (id, sent)
        }));
    }

    /// An outgoing stream ended.
    pub async fn on_sent(&mut self, id: String, result: Result<(), String>) -> Result<(), String> {
        let Err(reason) = result else {
            return Ok(());
        };
        if reason.starts_with("the connection broke") {
            return Err(reason);
        }
        // The source changed or could not be read: the receiver gives up too.
        let record = match self.ctx.store().attachment(self.peer, true, &id) {
            Ok(Some(record)) => record,
            _ => return Ok(()),
        };
        self.record(
            &record,
            FileState::Failed,
            record.done_bytes,
            None,
            Some(reason.clone()),
            true,
        );
        self.ctx.events.push(Event::FileStopped {
            peer: self.peer.clone(),
            id: id.clone(),
            outgoing: true,
            declined: false,
            reason: reason.clone(),
        });
        let refuse = Frame::Refuse {
            id,
            reason,
            declined: false,
        };
        self.link.send(&refuse.encode()).await.map_err(lost)?;
        self.record(
            &record,
            FileState::Failed,
            record.done_bytes,
            None,
            None,
            false,
        );
        Ok(())
    }

    /// The peer has all of one of our files.
    pub fn on_got(&mut self, id: String) {
        // Bound first: the store's guard must be gone before `record` locks it again.
        let found = self.ctx.store().attachment(self.peer, true, &id);
        if let Ok(Some(record)) = found {
            if record.state != FileState::Complete {
                self.record(&record, FileState::Complete, record.size, None, None, false);
                self.ctx.events.push(Event::FileDone {
                    peer: self.peer.clone(),
                    id,
                    outgoing: true,
                    path: None,
                });
            }
        }
    }

    /// The peer ends a transfer unfinished (either direction).
    pub async fn on_refuse(
        &mut self,
        id: String,
        reason: String,
        declined: bool,
    ) -> Result<(), String> {
        for outgoing in [true, false] {
            let Ok(Some(record)) = self.ctx.store().attachment(self.peer, outgoing, &id) else {
                continue;
            };
            if record.state.is_final() {
                continue;
            }
            if let Some(ask) = self.asks.get(&id) {
                ask.fetch_add(1, Ordering::AcqRel);
            }
            if let Some(mut incoming) = self.receiving.remove(&id) {
                incoming.file.discard();
            } else if !outgoing {
                discard_partial(&self.ctx.files.dirs, &id);
            }
            let state = if declined {
                FileState::Declined
            } else {
                FileState::Failed
            };
            self.record(
                &record,
                state,
                record.done_bytes,
                None,
                Some(reason.clone()),
                false,
            );
            self.ctx.events.push(Event::FileStopped {
                peer: self.peer.clone(),
                id: id.clone(),
                outgoing,
                declined,
                reason: reason.clone(),
            });
        }
        self.resume().await
    }

    /// Incoming transfers with nothing arriving for the stall timeout: ask again, and
    /// after a few asks give up.
    pub async fn check_stalls(&mut self) -> Result<(), String> {
        let limits = &self.ctx.files.limits;
        let stalled: Vec<String> = self
            .receiving
            .iter()
            .filter(|(_, r)| r.last_chunk.elapsed() >= limits.stall_timeout)
            .map(|(id, _)| id.clone())
            .collect();
        for id in stalled {
            let Some(incoming) = self.receiving.get_mut(&id) else {
                continue;
            };
            if incoming.asks >= limits.stall_retries {
                let mut incoming = self.receiving.remove(&id).ok_or("vanished")?;
                incoming.file.discard();
                let record = self.incoming_record(&id)?;
                self.fail_incoming(&record, FileError::Stalled).await?;
                continue;
            }
            incoming.asks += 1;
            incoming.last_chunk = Instant::now();
            let want = Frame::Want {
                id,
                offset: incoming.file.offset,
            };
            self.link.send(&want.encode()).await.map_err(lost)?;
        }
        self.resume().await
    }

    fn incoming_record(&self, id: &str) -> Result<AttachmentRecord, String> {
        self.ctx
            .store()
            .attachment(self.peer, false, id)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no record of incoming file {id}"))
    }

    fn record(
        &self,
        a: &AttachmentRecord,
        state: FileState,
        done_bytes: u64,
        path: Option<String>,
        error: Option<String>,
        tell_peer: bool,
    ) {
        let change = AttachmentChange {
            state,
            done_bytes,
            path,
            error,
            tell_peer,
        };
        if let Err(e) = self.ctx.store().update_attachment(a.seq, &change) {
            tracing::warn!(peer = %self.peer, "could not record file {}: {e}", a.id);
        }
    }
}

/// A received file whose bytes are a picture (whatever type the sender declared)
/// and whose header claims more pixels than can be opened safely is deleted: a viewer
/// decoding it would run out of memory. Anything else is kept as a file.
fn refuse_giant_picture(path: &std::path::Path) -> Result<(), FileError> {
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    if photo::sniff_mime(&head[..n]).is_none() {
        return Ok(());
    }
    match photo::check_dimensions(path, &photo::PhotoLimits::default()) {
        Err(e @ photo::PhotoError::TooLarge { .. }) => {
            let _ = std::fs::remove_file(path);
            Err(FileError::Photo(e))
        }
        _ => Ok(()),
    }
}

/// A preview from the peer, kept only if it is a small JPEG that decodes safely.
fn checked_preview(b64: &str) -> Option<Vec<u8>> {
    let bytes = data_encoding::BASE64.decode(b64.as_bytes()).ok()?;
    match photo::check_preview(&bytes) {
        Ok(_) => Some(bytes),
        Err(e) => {
            tracing::info!("dropped a preview: {e}");
            None
        }
    }
}

/// Sends `record`'s bytes from `offset` to the end, unless a newer ask supersedes
/// this one. `Err` with "the connection broke…" when the link failed; any other
/// `Err` is the source's fault (changed or unreadable).
async fn stream(
    ctx: &Ctx,
    peer: &PeerId,
    link: &Link,
    record: &AttachmentRecord,
    offset: u64,
    ask: &AtomicU64,
    mine: u64,
) -> Result<(), String> {
    let source = record.path.as_deref().unwrap_or_default();
    let file =
        open_unchanged(source, record.size, record.source_mtime).map_err(|e| e.to_string())?;
    let mut file = tokio::fs::File::from_std(file);
    let mut at = offset.min(record.size);
    file.seek(std::io::SeekFrom::Start(at))
        .await
        .map_err(|e| format!("could not read {source}: {e}"))?;
    let mut buf = vec![0u8; CHUNK_BYTES];
    let mut last_event = Instant::now();
    while at < record.size {
        if ask.load(Ordering::Acquire) != mine {
            return Ok(());
        }
        let want = usize::try_from(record.size - at)
            .unwrap_or(CHUNK_BYTES)
            .min(CHUNK_BYTES);
        file.read_exact(&mut buf[..want])
            .await
            .map_err(|_| FileError::SourceChanged.to_string())?;
        link.send(&chunk::encode(&record.id, at, &buf[..want]))
            .await
            .map_err(lost)?;
        at += want as u64;
        if last_event.elapsed() >= PROGRESS_EVERY {
            last_event = Instant::now();
            ctx.events.push(Event::FileProgress {
                peer: peer.clone(),
                id: record.id.clone(),
                outgoing: true,
                done: at,
                total: record.size,
            });
        }
    }
    Ok(())
}
