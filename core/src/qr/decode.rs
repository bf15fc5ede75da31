//! Reading a code back from pixels: camera frames from the phone shells and image
//! files on the desktop.
//!
//! Everything here handles input from outside — a camera pointed at anything, a file
//! anyone could have made — so sizes are checked before a byte is touched, image
//! files are decoded under memory limits, and the third-party decoder runs behind a
//! panic guard. Failures are [`CodeError::Qr`] with a reason a person can act on.

use std::io::{Cursor, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use image::{ImageError, ImageReader, Limits};

use crate::CodeError;

/// Widest or tallest image accepted, in pixels (from a file or a camera frame).
pub const MAX_IMAGE_SIDE: u32 = 8192;

/// Most pixels accepted in one image: 40 megapixels, more than any phone camera
/// preview and most photos. Keeps the decoder's working copies within ~100 MB.
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;

/// Largest image file [`decode_image_file`] reads. Compressed PNG/JPEG of an
/// acceptable size are far smaller; anything bigger is not a screenshot or photo.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Memory the image decoder may allocate for one file (the decoded pixels count).
/// 40 MP of 8-bit RGBA is 160 MB.
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;

/// The prefix every Tincan code starts with; preferred when a frame holds several QR
/// codes (a poster behind the phone, a second code on the same screen).
const TINCAN_PREFIX: &str = "TINCAN-";

fn qr_error(reason: impl Into<String>) -> CodeError {
    CodeError::Qr {
        reason: reason.into(),
    }
}

/// Reads the QR code in an 8-bit grayscale frame, one byte per pixel, rows packed
/// without padding (`luma.len() == width × height`). This is the Y plane of a camera
/// frame (Android CameraX `ImageProxy.planes[0]`, iOS `kCVPixelFormatType_420…`
/// plane 0) once its row padding is removed; see [`decode_gray_strided`] to pass the
/// padded plane directly.
///
/// When the frame holds several readable codes, one starting with `TINCAN-` wins;
/// otherwise the first one read is returned (any text: a later feature may put a
/// browser's session description in a QR).
pub fn decode_gray(width: u32, height: u32, luma: &[u8]) -> Result<String, CodeError> {
    let expected = u64::from(width) * u64::from(height);
    if luma.len() as u64 != expected {
        return Err(qr_error(format!(
            "the frame has {} bytes but {width} × {height} pixels need {expected}",
            luma.len()
        )));
    }
    decode_gray_strided(width, height, width, luma)
}

/// Like [`decode_gray`] for a plane whose rows are `row_stride` bytes apart
/// (`row_stride ≥ width`; the bytes after `width` in each row are ignored). Camera
/// APIs usually pad rows to an alignment (Android `PlaneProxy.rowStride`, iOS
/// `CVPixelBufferGetBytesPerRowOfPlane`). The last row may be short of padding.
pub fn decode_gray_strided(
    width: u32,
    height: u32,
    row_stride: u32,
    luma: &[u8],
) -> Result<String, CodeError> {
    check_dimensions(width, height)?;
    if row_stride < width {
        return Err(qr_error(format!(
            "the frame's rows are {row_stride} bytes apart, less than its width of {width} pixels"
        )));
    }
    let needed = u64::from(height - 1) * u64::from(row_stride) + u64::from(width);
    if (luma.len() as u64) < needed {
        return Err(qr_error(format!(
            "the frame has {} bytes but {width} × {height} pixels with rows {row_stride} bytes apart need {needed}",
            luma.len()
        )));
    }
    let (w, h, stride) = (width as usize, height as usize, row_stride as usize);
    detect(w, h, |x, y| {
        luma.get(y * stride + x).copied().unwrap_or(255)
    })
}

/// Reads the QR code in a PNG or JPEG image held in memory (a file's bytes, a
/// pasted screenshot). Colour images are read by their luminance.
///
/// The image is decoded under limits ([`MAX_IMAGE_SIDE`], [`MAX_IMAGE_PIXELS`], a
/// 256 MiB allocation cap) so a hostile file cannot exhaust memory.
pub fn decode_image_bytes(bytes: &[u8]) -> Result<String, CodeError> {
    if bytes.is_empty() {
        return Err(qr_error("the image is empty (0 bytes)"));
    }
    // Check the size from the header before any pixel is decoded: the decoder's
    // side limits alone would still let 8192 × 8192 through.
    let (width, height) = guess_format(bytes)?
        .into_dimensions()
        .map_err(image_error)?;
    check_dimensions(width, height)?;
    let mut reader = guess_format(bytes)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let image = reader.decode().map_err(image_error)?;
    let luma = image.into_luma8();
    decode_gray(luma.width(), luma.height(), luma.as_raw())
}

/// Reads the QR code in a PNG or JPEG file; see [`decode_image_bytes`]. Files larger
/// than [`MAX_FILE_BYTES`] are refused before they are read.
pub fn decode_image_file(path: &Path) -> Result<String, CodeError> {
    let file = std::fs::File::open(path).map_err(|e| {
        qr_error(format!(
            "the file {} could not be opened ({e})",
            path.display()
        ))
    })?;
    let mut bytes = Vec::new();
    // Read one byte past the cap so an oversized file is detected even if its size
    // changes while it is read (or it is a pipe without a size).
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            qr_error(format!(
                "the file {} could not be read ({e})",
                path.display()
            ))
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(qr_error(format!(
            "the file {} is larger than {} MiB, too large for a screenshot or photo of a code",
            path.display(),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    decode_image_bytes(&bytes)
}

fn guess_format(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, CodeError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| qr_error(format!("the image could not be read ({e})")))?;
    if reader.format().is_none() {
        return Err(qr_error("the data is not a PNG or JPEG image"));
    }
    Ok(reader)
}

fn check_dimensions(width: u32, height: u32) -> Result<(), CodeError> {
    if width == 0 || height == 0 {
        return Err(qr_error(format!(
            "the image is empty ({width} × {height} pixels)"
        )));
    }
    if width > MAX_IMAGE_SIDE
        || height > MAX_IMAGE_SIDE
        || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
    {
        return Err(qr_error(format!(
            "the image is too large ({width} × {height} pixels; at most {MAX_IMAGE_SIDE} on a side and {} megapixels)",
            MAX_IMAGE_PIXELS / 1_000_000
        )));
    }
    Ok(())
}

fn image_error(e: ImageError) -> CodeError {
    match e {
        ImageError::Limits(_) => qr_error(format!(
            "the image is too large to read safely (at most {MAX_IMAGE_SIDE} pixels on a side and {} MiB decoded)",
            MAX_DECODE_ALLOC / (1024 * 1024)
        )),
        ImageError::Unsupported(_) => qr_error("only PNG and JPEG images can be read"),
        ImageError::IoError(_) | ImageError::Decoding(_) => {
            qr_error("the image file is damaged or incomplete")
        }
        other => qr_error(format!("the image could not be read ({other})")),
    }
}

/// Most pixels an enlarged copy may have (a 1280 × 720 frame doubled). Enlarging
/// helps small symbols only, and an empty 1080p frame would otherwise cost ~0.6 s
/// of passes, which a camera loop cannot afford; at 1080p a code held up to the
/// camera has big modules anyway.
const MAX_ENLARGED_PIXELS: u64 = 4_000_000;

/// What one pass of the detector found.
enum Found {
    /// Every text read, in the detector's order.
    Texts(Vec<String>),
    /// QR codes were located but none could be read.
    Unreadable(usize),
    /// Nothing that looks like a QR code.
    Nothing,
}

/// Reads a `w × h` image given pixel by pixel (0 black, 255 white), in passes that
/// stop at the first success.
///
/// rqrr (a port of quirc) misses many symbols whose modules are 4 px or smaller,
/// and its scan depends on direction: in the robustness benchmark a clean, upright
/// 4 px/module code was found only about 3 times in 4. Enlarging the image 2× and
/// scanning it turned 90° rescue most of those, so the passes are:
///
/// 1. the image as given (the fast path: big modules, a good camera frame);
/// 2. enlarged 2× (bilinear), unless that exceeds [`MAX_ENLARGED_PIXELS`];
/// 3. turned 90°;
/// 4. enlarged 1.5×, which catches some perspective and low-contrast cases the
///    others miss.
///
/// A pass that reads only other QR codes (a poster, a menu) does not stop the search
/// for a Tincan code; those texts are returned if no pass finds one.
///
/// A failed frame costs all passes (a few tens of ms for a 640 × 480 frame in a
/// release build); a frame that reads costs only its first successful pass.
fn detect<F>(w: usize, h: usize, pixel: F) -> Result<String, CodeError>
where
    F: Fn(usize, usize) -> u8,
{
    let mut unreadable = 0;
    // Texts read that are not Tincan codes: returned only if no pass finds one.
    let mut others: Vec<String> = Vec::new();
    match detect_once(w, h, &pixel)? {
        Found::Texts(texts) => match pick(texts) {
            Ok(text) => return Ok(text),
            Err(texts) => others.extend(texts),
        },
        Found::Unreadable(n) => unreadable = unreadable.max(n),
        Found::Nothing => {}
    }
    // The later passes work on a packed copy (w × h ≤ MAX_IMAGE_PIXELS, checked).
    let (wu, hu) = (w as u32, h as u32);
    let mut packed = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            packed.push(pixel(x, y));
        }
    }
    let Some(original) = image::GrayImage::from_raw(wu, hu, packed) else {
        return Err(qr_error("the image could not be prepared for reading"));
    };
    let pixels = u64::from(wu) * u64::from(hu);
    let enlarge = |num: u32, den: u32| {
        image::imageops::resize(
            &original,
            wu * num / den,
            hu * num / den,
            image::imageops::FilterType::Triangle,
        )
    };
    let mut passes: Vec<Box<dyn Fn() -> image::GrayImage + '_>> = Vec::new();
    if pixels * 4 <= MAX_ENLARGED_PIXELS {
        passes.push(Box::new(|| enlarge(2, 1)));
    }
    passes.push(Box::new(|| image::imageops::rotate90(&original)));
    if pixels * 9 / 4 <= MAX_ENLARGED_PIXELS {
        passes.push(Box::new(|| enlarge(3, 2)));
    }
    for pass in passes {
        let img = pass();
        let (pw, ph) = (img.width() as usize, img.height() as usize);
        let found = detect_once(pw, ph, |x, y| {
            img.as_raw().get(y * pw + x).copied().unwrap_or(255)
        })?;
        match found {
            Found::Texts(texts) => match pick(texts) {
                Ok(text) => return Ok(text),
                Err(texts) => others.extend(texts),
            },
            Found::Unreadable(n) => unreadable = unreadable.max(n),
            Found::Nothing => {}
        }
    }
    if let Some(text) = others.into_iter().next() {
        return Ok(text);
    }
    Err(qr_error(match unreadable {
        0 => "no QR code was found in the image".to_string(),
        1 => "a QR code was found but could not be read: it is blurred, too small, or partly hidden".to_string(),
        n => format!("{n} QR codes were found but none could be read: they are blurred, too small, or partly hidden"),
    }))
}

/// One scan of the image by rqrr.
fn detect_once<F>(w: usize, h: usize, pixel: F) -> Result<Found, CodeError>
where
    F: Fn(usize, usize) -> u8,
{
    // rqrr is third-party code fed with whatever a camera saw; a panic inside it
    // (it has had index and overflow bugs on odd images) must become an error, not
    // take the app down. Nothing it touches outlives the closure, so unwind safety
    // is not a concern.
    catch_unwind(AssertUnwindSafe(|| {
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, &pixel);
        let grids = prepared.detect_grids();
        if grids.is_empty() {
            return Found::Nothing;
        }
        let texts: Vec<String> = grids
            .iter()
            .filter_map(|g| g.decode().ok().map(|(_, text)| text))
            .collect();
        if texts.is_empty() {
            Found::Unreadable(grids.len())
        } else {
            Found::Texts(texts)
        }
    }))
    .map_err(|_| qr_error("the QR reader failed on this image"))
}

/// The Tincan code among the texts read from one image, or all of them back.
fn pick(texts: Vec<String>) -> Result<String, Vec<String>> {
    match texts.iter().position(|t| t.starts_with(TINCAN_PREFIX)) {
        Some(index) => Ok(texts.into_iter().nth(index).unwrap_or_default()),
        None => Err(texts),
    }
}
