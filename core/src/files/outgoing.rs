//! One file leaving: prepared once when the person sends it (hashed, and for a photo
//! a preview made and metadata stripped), then read from disk chunk by chunk whenever
//! the receiver asks for bytes from some offset. Nothing holds the whole file in
//! memory.
//!
//! The sender reads the original where the person's shell put it (the CLI: the path
//! typed; the phones: a copy in the app's cache, since a picker's content URI does not
//! last). Copying every file into the app's folder would double its size on disk for
//! as long as the transfer waits. Instead the size and modification time are recorded
//! with the hash, and a file that changed since is never sent under the old hash: the
//! receiver is told to give up ([`FileError::SourceChanged`]).

use std::io::Read;
use std::path::Path;
use std::time::UNIX_EPOCH;

use super::dirs::FileDirs;
use super::error::FileError;
use super::photo;
use crate::store::NewAttachment;

/// Largest preview carried in the offer frame (its base64 must fit a 64 KiB frame).
pub const MAX_PREVIEW_BYTES: usize = 45 * 1024;

/// How the person wants a file sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendOptions {
    /// For photos: remove EXIF (location, camera) and other metadata first.
    pub strip_metadata: bool,
}

/// Hashes, names and (for photos) previews and strips the file at `path`, ready to be
/// queued as transfer `id`.
pub fn prepare(
    path: &Path,
    id: &str,
    options: SendOptions,
    dirs: &FileDirs,
    max_bytes: u64,
) -> Result<NewAttachment, FileError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(FileError::io(format!("could not open {shown}")))?;
    if !meta.is_file() {
        return Err(FileError::NotAFile(shown));
    }
    if meta.len() > max_bytes {
        return Err(FileError::TooLarge {
            size: meta.len(),
            max: max_bytes,
        });
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_owned());
    let (mime, head) = mime_of(path)?;
    if options.strip_metadata {
        if let Some(kind) = unstrippable_picture(&head) {
            return Err(FileError::CannotStrip(kind));
        }
    }
    let mut source = path.to_path_buf();
    let mut preview = None;
    if photo::is_photo(&mime) {
        if options.strip_metadata {
            let copy = dirs
                .outgoing
                .join(format!("{id}-{}", super::name::safe_file_name(&name)));
            photo::strip_metadata(path, &copy)?;
            source = copy;
        }
        // A picture the preview maker refuses (too large, odd format) still goes as a
        // file, only without a preview.
        match photo::make_preview(&source, &photo::PhotoLimits::default()) {
            Ok(p) if p.jpeg.len() <= MAX_PREVIEW_BYTES => preview = Some(p.jpeg),
            Ok(_) => tracing::info!("preview of {shown} too large to carry; sent without"),
            Err(e) => tracing::info!("no preview for {shown}: {e}"),
        }
    }
    let (size, hash) = hash_file(&source)?;
    if size > max_bytes {
        return Err(FileError::TooLarge {
            size,
            max: max_bytes,
        });
    }
    Ok(NewAttachment {
        name,
        mime,
        size,
        hash,
        path: Some(source.to_string_lossy().into_owned()),
        source_mtime: Some(mtime_ms(&source)?),
        preview,
    })
}

/// Picture formats that carry location metadata this build cannot strip, by their
/// first bytes: HEIF/HEIC/AVIF (an ISO `ftyp` box with an image brand; iPhones save
/// photos so) and WebP.
pub(crate) fn unstrippable_picture(head: &[u8]) -> Option<&'static str> {
    const HEIF_BRANDS: [&[u8; 4]; 11] = [
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1",
        b"avif",
    ];
    if head.len() >= 12 && &head[4..8] == b"ftyp" && HEIF_BRANDS.iter().any(|b| &head[8..12] == *b)
    {
        return Some(if &head[8..12] == b"avif" {
            "AVIF"
        } else {
            "HEIC"
        });
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some("WebP");
    }
    None
}

/// The media type from the first bytes (photos) or else the extension, and those
/// first bytes.
pub(crate) fn mime_of(path: &Path) -> Result<(String, Vec<u8>), FileError> {
    let mut head = [0u8; 64];
    let mut file = std::fs::File::open(path)
        .map_err(FileError::io(format!("could not read {}", path.display())))?;
    let n = file
        .read(&mut head)
        .map_err(FileError::io(format!("could not read {}", path.display())))?;
    let mime = photo::sniff_mime(&head[..n])
        .map(str::to_owned)
        .unwrap_or_else(|| {
            mime_guess::from_path(path)
                .first_or_octet_stream()
                .essence_str()
                .to_owned()
        });
    Ok((mime, head[..n].to_vec()))
}

/// Size and BLAKE3 (hex) of a file, read in 1 MiB pieces.
pub fn hash_file(path: &Path) -> Result<(u64, String), FileError> {
    let what = || format!("could not read {}", path.display());
    let mut file = std::fs::File::open(path).map_err(FileError::io(what()))?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(FileError::io(what()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hasher.finalize().to_hex().to_string()))
}

/// Modification time in Unix milliseconds.
pub fn mtime_ms(path: &Path) -> Result<i64, FileError> {
    let modified = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(FileError::io(format!("could not read {}", path.display())))?;
    Ok(modified
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0))
}

/// Opens the source of an outgoing transfer, refusing one that changed since it was
/// hashed (size or modification time differ).
pub fn open_unchanged(
    path: &str,
    size: u64,
    mtime: Option<i64>,
) -> Result<std::fs::File, FileError> {
    let p = Path::new(path);
    let file = std::fs::File::open(p).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            FileError::SourceChanged
        } else {
            FileError::io(format!("could not read {path}"))(e)
        }
    })?;
    let now_size = file
        .metadata()
        .map_err(FileError::io(format!("could not read {path}")))?
        .len();
    if now_size != size || mtime.is_some_and(|m| mtime_ms(p).is_ok_and(|now| now != m)) {
        return Err(FileError::SourceChanged);
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_whose_location_cannot_be_removed_is_not_sent_quietly() {
        let root = tempfile::tempdir().unwrap();
        let dirs = FileDirs::under(root.path());
        dirs.create().unwrap();
        let heic = root.path().join("IMG_0001.HEIC");
        let mut bytes = vec![0, 0, 0, 24];
        bytes.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
        bytes.extend_from_slice(&[0u8; 100]);
        std::fs::write(&heic, &bytes).unwrap();
        let strip = SendOptions {
            strip_metadata: true,
        };
        let err = prepare(&heic, "t1", strip, &dirs, 1 << 20).unwrap_err();
        assert!(matches!(err, FileError::CannotStrip("HEIC")), "{err}");
        assert!(err.to_string().contains("metadata kept"));
        let keep = SendOptions {
            strip_metadata: false,
        };
        let a = prepare(&heic, "t2", keep, &dirs, 1 << 20).unwrap();
        assert_eq!(a.size, bytes.len() as u64);
        let webp = root.path().join("sticker.webp");
        std::fs::write(&webp, b"RIFF\x10\0\0\0WEBPVP8 ").unwrap();
        assert!(matches!(
            prepare(&webp, "t3", strip, &dirs, 1 << 20),
            Err(FileError::CannotStrip("WebP"))
        ));
    }

    #[test]
    fn a_plain_file_is_hashed_and_named_and_a_changed_one_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let dirs = FileDirs::under(root.path());
        dirs.create().unwrap();
        let path = root.path().join("notes.txt");
        std::fs::write(&path, b"some notes").unwrap();
        let options = SendOptions {
            strip_metadata: true,
        };
        let a = prepare(&path, "t1", options, &dirs, 1 << 20).unwrap();
        assert_eq!(a.name, "notes.txt");
        assert_eq!(a.mime, "text/plain");
        assert_eq!(a.size, 10);
        assert_eq!(a.hash, blake3::hash(b"some notes").to_hex().to_string());
        assert_eq!(a.preview, None);
        let source = a.path.clone().unwrap();
        assert!(open_unchanged(&source, a.size, a.source_mtime).is_ok());
        std::fs::write(&path, b"other notes!").unwrap();
        assert!(matches!(
            open_unchanged(&source, a.size, a.source_mtime),
            Err(FileError::SourceChanged)
        ));
        assert!(matches!(
            prepare(&path, "t2", options, &dirs, 4),
            Err(FileError::TooLarge { size: 12, max: 4 })
        ));
        assert!(matches!(
            prepare(root.path(), "t3", options, &dirs, 4),
            Err(FileError::NotAFile(_))
        ));
    }
}
