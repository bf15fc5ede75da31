//! Photos in a conversation: the small preview that travels with the offer, the checks a
//! receiver runs before anything decodes a peer's picture, and the copy without metadata
//! (where it was taken, which camera, whose name) that is sent instead of the original.
//!
//! Every picture here may come from outside (a peer's preview, a received file, a
//! download the person passes on), so the size is read from the header and checked
//! before a pixel is decoded, decoding runs under [`image::Limits`] so a header that lies
//! cannot exhaust memory either, and the third-party decoders run behind a panic guard.

mod strip;
#[cfg(test)]
mod tests;

pub use strip::{strip_metadata, StripReport, MAX_STRIP_BYTES};

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, ErrorKind, Read, Seek};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{
    DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, Rgb, RgbImage,
};
use thiserror::Error;

/// How large a picture may be before Tincan refuses to open it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoLimits {
    /// Widest picture opened, in pixels.
    pub max_width: u32,
    /// Tallest picture opened, in pixels.
    pub max_height: u32,
    /// Most memory the decoder may take for one picture, in bytes: the decoded pixels,
    /// and for JPEG also the file itself, which its decoder reads whole.
    pub max_alloc: u64,
}

impl Default for PhotoLimits {
    /// 12 000 pixels on a side and 256 MiB: a 48-megapixel phone photo (146 MB decoded)
    /// opens; a picture needing more memory than that is refused even within the sides.
    fn default() -> Self {
        Self {
            max_width: 12_000,
            max_height: 12_000,
            max_alloc: 256 * 1024 * 1024,
        }
    }
}

/// The limits for a preview: far above the [`PREVIEW_SIDE`] previews Tincan makes, so
/// other makers' previews fit, and small enough to decode anything from a peer.
pub const PREVIEW_LIMITS: PhotoLimits = PhotoLimits {
    max_width: 1024,
    max_height: 1024,
    max_alloc: 8 * 1024 * 1024,
};

/// A preview fits in a square this many pixels on a side.
pub const PREVIEW_SIDE: u32 = 320;

/// [`make_preview`] lowers the JPEG quality until the preview is at most this large, so
/// it fits the offer frame with room to spare (usually it is far smaller).
pub const PREVIEW_GOAL_BYTES: usize = 32 * 1024;

/// The largest preview [`check_preview`] accepts from a peer.
pub const MAX_RECEIVED_PREVIEW_BYTES: usize = 64 * 1024;

/// JPEG qualities [`make_preview`] tries, best first, until one meets
/// [`PREVIEW_GOAL_BYTES`].
const PREVIEW_QUALITIES: [u8; 4] = [70, 55, 40, 25];

/// How much of a file is read to find its size. Headers are small; only a huge ICC
/// profile or comment before the pixels would push a JPEG's size further in, and such
/// a file is refused as unreadable.
const HEADER_WINDOW: u64 = 4 * 1024 * 1024;

/// Memory the decoders may take while reading a header (PNG text and colour profile
/// chunks before the pixels).
const HEADER_ALLOC: u64 = 16 * 1024 * 1024;

/// Formats handled as photos, when this build of the `image` crate can read them.
const PHOTO_FORMATS: [ImageFormat; 4] = [
    ImageFormat::Jpeg,
    ImageFormat::Png,
    ImageFormat::WebP,
    ImageFormat::Gif,
];

/// Why a picture was refused.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PhotoError {
    /// Wider or taller than the limits allow, or needing more memory to decode.
    #[error("the picture is {width} × {height} pixels, too large to open safely")]
    TooLarge {
        /// Width from the picture's header, in pixels.
        width: u32,
        /// Height from the picture's header, in pixels.
        height: u32,
    },
    /// A preview from a peer larger than any preview should be.
    #[error("the preview is {size} bytes, more than the {max} bytes a preview may have")]
    PreviewTooBig {
        /// Its size in bytes.
        size: usize,
        /// The most accepted.
        max: usize,
    },
    /// A preview from a peer that is not a JPEG.
    #[error("the preview is not a JPEG picture, so it is not shown")]
    PreviewNotJpeg,
    /// A file too large to be a photo, refused before it is read into memory.
    #[error("the picture file is {size} bytes, too large to remove its metadata (at most {max} bytes); send it without removing metadata")]
    FileTooLarge {
        /// Its size in bytes.
        size: u64,
        /// The most accepted.
        max: u64,
    },
    /// Not a kind of picture this build can open (it can still travel as a file).
    #[error("this is not a kind of picture Tincan can open; it can still be sent as a file")]
    NotAPicture,
    /// The data is cut short or is not what its header says.
    #[error("the picture is damaged or incomplete ({reason})")]
    Damaged {
        /// What went wrong, in words.
        reason: String,
    },
    /// Reading or writing the file failed.
    #[error("the picture file could not be read or written ({0})")]
    Io(#[from] std::io::Error),
}

/// A small JPEG of a picture, made by the sender to travel with the offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The JPEG. Encoded from pixels, so it carries no EXIF, GPS or other metadata.
    pub jpeg: Vec<u8>,
    /// Its width in pixels, at most [`PREVIEW_SIDE`].
    pub width: u32,
    /// Its height in pixels, at most [`PREVIEW_SIDE`].
    pub height: u32,
    /// The picture's width as shown (after its EXIF rotation), in pixels.
    pub source_width: u32,
    /// The picture's height as shown (after its EXIF rotation), in pixels.
    pub source_height: u32,
}

/// Whether a media type (`image/jpeg`, parameters ignored) is a picture Tincan previews
/// and strips: JPEG and PNG, and WebP and GIF when the `image` crate is built to read
/// them. Anything else travels as a plain file.
pub fn is_photo(mime: &str) -> bool {
    let essence = mime
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let essence = if essence == "image/jpg" {
        "image/jpeg".to_owned()
    } else {
        essence
    };
    ImageFormat::from_mime_type(essence).is_some_and(readable_photo)
}

/// The media type of a picture from its first bytes (16 are enough): JPEG, PNG, WebP or
/// GIF by their magic bytes, whether or not this build can decode them ([`is_photo`]
/// says that). `None` for anything else.
pub fn sniff_mime(first_bytes: &[u8]) -> Option<&'static str> {
    image::guess_format(first_bytes)
        .ok()
        .filter(|format| PHOTO_FORMATS.contains(format))
        .map(|format| format.to_mime_type())
}

/// Makes the preview of the picture at `path`: at most [`PREVIEW_SIDE`] pixels on a
/// side, turned upright by its EXIF orientation, transparency laid on white, encoded as
/// JPEG (quality 70, lower if needed to stay within [`PREVIEW_GOAL_BYTES`]).
///
/// The size is read from the header and refused beyond `limits` before any pixel is
/// decoded ([`PhotoError::TooLarge`]); decoding then runs under the same limits. The
/// preview is encoded from pixels alone, so it carries no EXIF, GPS, XMP or comments
/// whatever the original had.
pub fn make_preview(path: &Path, limits: &PhotoLimits) -> Result<Preview, PhotoError> {
    let (format, width, height) = read_header(&read_head(path)?)?;
    check_size(width, height, limits)?;
    let file = File::open(path)?;
    let held = if format == ImageFormat::Jpeg {
        file.metadata()?.len()
    } else {
        0
    };
    let reader = ImageReader::with_format(BufReader::new(file), format);
    let (image, orientation) = decode(reader, limits, held)?;
    let mut small = shrink(image);
    small.apply_orientation(orientation);
    let rgb = flatten_onto_white(small);
    let jpeg = encode_preview(&rgb)?;
    let (source_width, source_height) = if turns_sideways(orientation) {
        (height, width)
    } else {
        (width, height)
    };
    Ok(Preview {
        jpeg,
        width: rgb.width(),
        height: rgb.height(),
        source_width,
        source_height,
    })
}

/// What a receiver runs on a preview a peer sent, before showing it: at most
/// [`MAX_RECEIVED_PREVIEW_BYTES`], a JPEG, within [`PREVIEW_LIMITS`] by its header, and
/// decodable under those limits. Returns its width and height.
pub fn check_preview(jpeg: &[u8]) -> Result<(u32, u32), PhotoError> {
    if jpeg.len() > MAX_RECEIVED_PREVIEW_BYTES {
        return Err(PhotoError::PreviewTooBig {
            size: jpeg.len(),
            max: MAX_RECEIVED_PREVIEW_BYTES,
        });
    }
    if image::guess_format(jpeg).ok() != Some(ImageFormat::Jpeg) {
        return Err(PhotoError::PreviewNotJpeg);
    }
    let (_, width, height) = read_header(jpeg)?;
    check_size(width, height, &PREVIEW_LIMITS)?;
    let reader = ImageReader::with_format(Cursor::new(jpeg), ImageFormat::Jpeg);
    decode(reader, &PREVIEW_LIMITS, jpeg.len() as u64)?;
    Ok((width, height))
}

/// What a receiver runs on a received picture before any viewer decodes it: its width
/// and height from the header (reading at most the file's first 4 MiB), refused beyond
/// `limits`. Nothing is decoded.
pub fn check_dimensions(path: &Path, limits: &PhotoLimits) -> Result<(u32, u32), PhotoError> {
    let (_, width, height) = read_header(&read_head(path)?)?;
    check_size(width, height, limits)?;
    Ok((width, height))
}

fn readable_photo(format: ImageFormat) -> bool {
    PHOTO_FORMATS.contains(&format) && format.reading_enabled()
}

fn read_head(path: &Path) -> Result<Vec<u8>, PhotoError> {
    let mut head = Vec::new();
    File::open(path)?
        .take(HEADER_WINDOW)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// The format, width and height of the picture whose first bytes are `head`.
fn read_header(head: &[u8]) -> Result<(ImageFormat, u32, u32), PhotoError> {
    let mut reader = ImageReader::new(Cursor::new(head)).with_guessed_format()?;
    let format = reader
        .format()
        .filter(|format| readable_photo(*format))
        .ok_or(PhotoError::NotAPicture)?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(HEADER_ALLOC);
    reader.limits(limits);
    let (width, height) = guarded(|| reader.into_dimensions().map_err(image_error))?;
    if width == 0 || height == 0 {
        return Err(damaged("its header says it has no pixels"));
    }
    Ok((format, width, height))
}

fn check_size(width: u32, height: u32, limits: &PhotoLimits) -> Result<(), PhotoError> {
    if width > limits.max_width || height > limits.max_height {
        return Err(PhotoError::TooLarge { width, height });
    }
    Ok(())
}

/// Decodes under `limits`, counting `held` bytes the decoder keeps besides the pixels
/// (a JPEG decoder reads its whole input). Returns the pixels as stored and the EXIF
/// orientation to show them with.
fn decode<R: BufRead + Seek>(
    mut reader: ImageReader<R>,
    limits: &PhotoLimits,
    held: u64,
) -> Result<(DynamicImage, Orientation), PhotoError> {
    let mut image_limits = Limits::default();
    image_limits.max_image_width = Some(limits.max_width);
    image_limits.max_image_height = Some(limits.max_height);
    image_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(image_limits.clone());
    guarded(move || {
        let mut decoder = reader.into_decoder().map_err(image_error)?;
        let (width, height) = decoder.dimensions();
        let too_large = || PhotoError::TooLarge { width, height };
        // `into_decoder` checks the sides only; the memory for the pixels is reserved
        // here, as `ImageReader::decode` would, before anything is allocated.
        image_limits
            .reserve(decoder.total_bytes().saturating_add(held))
            .map_err(|_| too_large())?;
        // A broken EXIF block must not cost the picture: show it as stored.
        let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
        let image = DynamicImage::from_decoder(decoder).map_err(|e| match e {
            ImageError::Limits(_) => too_large(),
            other => image_error(other),
        })?;
        Ok((image, orientation))
    })
}

/// Fits `image` within [`PREVIEW_SIDE`]; smaller pictures are not enlarged. Takes the
/// image so the full-size pixels are freed as soon as the small copy exists.
fn shrink(image: DynamicImage) -> DynamicImage {
    if image.width() > PREVIEW_SIDE || image.height() > PREVIEW_SIDE {
        image.thumbnail(PREVIEW_SIDE, PREVIEW_SIDE)
    } else {
        image
    }
}

fn turns_sideways(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// JPEG has no transparency; dropping alpha would show whatever colour the transparent
/// pixels happen to hold (often black), so they are laid on white instead.
fn flatten_onto_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let a = u16::from(a);
        // c·a + 255·(255 − a) ≤ 255·255, so the result fits a u8.
        let over = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        Rgb([over(r), over(g), over(b)])
    })
}

fn encode_preview(rgb: &RgbImage) -> Result<Vec<u8>, PhotoError> {
    let mut jpeg = Vec::new();
    for quality in PREVIEW_QUALITIES {
        jpeg.clear();
        JpegEncoder::new_with_quality(&mut jpeg, quality)
            .encode_image(rgb)
            .map_err(image_error)?;
        if jpeg.len() <= PREVIEW_GOAL_BYTES {
            break;
        }
    }
    // Only noise-like pictures get here; never hand out a preview a receiver refuses.
    if jpeg.len() > MAX_RECEIVED_PREVIEW_BYTES {
        return Err(PhotoError::PreviewTooBig {
            size: jpeg.len(),
            max: MAX_RECEIVED_PREVIEW_BYTES,
        });
    }
    Ok(jpeg)
}

/// Runs third-party decoding code on outside input: a panic in it (such bugs have been
/// found by fuzzing before) becomes an error instead of taking the app down. Nothing
/// it touches outlives the closure, so unwind safety is not a concern.
fn guarded<T>(f: impl FnOnce() -> Result<T, PhotoError>) -> Result<T, PhotoError> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(damaged("the picture decoder failed on it")))
}

fn damaged(reason: impl Into<String>) -> PhotoError {
    PhotoError::Damaged {
        reason: reason.into(),
    }
}

fn image_error(e: ImageError) -> PhotoError {
    match e {
        ImageError::Unsupported(_) => PhotoError::NotAPicture,
        ImageError::IoError(e) if e.kind() == ErrorKind::UnexpectedEof => {
            damaged("it ends too early")
        }
        ImageError::IoError(e) => PhotoError::Io(e),
        ImageError::Limits(_) => damaged("it asks for more memory than a picture needs"),
        other => damaged(other.to_string()),
    }
}
