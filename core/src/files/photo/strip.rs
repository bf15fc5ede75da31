//! The copy of a photo that is sent: the same pixels, without the metadata a camera or
//! editor wrote into the file.
//!
//! The container is rewritten with `img-parts` (segments and chunks are dropped, the
//! compressed pixels are copied byte for byte), so nothing is re-encoded and the picture
//! loses no quality. What is kept is a short list of what shows the picture correctly;
//! everything else goes, including kinds of metadata not known today.

use std::fs;
use std::io::{self, Cursor};
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageEncoder, ImageFormat, ImageReader};
use img_parts::jpeg::{markers, Jpeg, JpegSegment};
use img_parts::png::Png;
use img_parts::{Bytes, ImageEXIF, ImageICC};

use super::{check_size, damaged, decode, image_error, read_header, PhotoError, PhotoLimits};

/// What [`strip_metadata`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StripReport {
    /// How many bytes smaller the copy is than the original; 0 if it is not smaller
    /// (a re-encoded copy can be larger).
    pub removed_bytes: u64,
    /// The pixels were decoded and encoded again, to keep a rotation that only the
    /// removed EXIF recorded.
    pub reencoded: bool,
    /// Metadata was removed. `false` for formats this cannot clean: the copy is then the
    /// original, unchanged, and may still carry metadata.
    pub stripped: bool,
}

/// The largest file [`strip_metadata`] reads (it holds the whole file in memory). No
/// photo comes near it; a bigger file that starts like a picture is something else.
pub const MAX_STRIP_BYTES: u64 = 256 * 1024 * 1024;

/// Quality of a JPEG re-encoded to keep its rotation: high enough that the loss is
/// hard to see, at a file size close to a phone camera's own.
const REENCODE_QUALITY: u8 = 90;

/// PNG chunks kept: the pixels, transparency, colour and animation. Text (`tEXt`,
/// `zTXt`, `iTXt`, which also carries XMP), `eXIf`, `tIME` and everything unknown go.
const PNG_KEEP: [[u8; 4]; 18] = [
    *b"IHDR", *b"PLTE", *b"IDAT", *b"IEND", *b"tRNS", *b"cHRM", *b"gAMA", *b"iCCP", *b"sBIT",
    *b"sRGB", *b"cICP", *b"mDCV", *b"cLLI", *b"bKGD", *b"pHYs", *b"acTL", *b"fcTL", *b"fdAT",
];

/// Writes to `dst` a copy of the JPEG or PNG at `src` without EXIF (camera, time, GPS
/// position), XMP, IPTC, comments, embedded thumbnails and anything appended after the
/// picture (a JPEG's second images and motion-photo videos). The colour profile is kept.
/// The compressed pixels are copied as they are: nothing is re-encoded.
///
/// One exception: a JPEG or PNG whose EXIF says "show me rotated" (orientation other
/// than 1) would appear on its side once the EXIF is gone. Such a picture is decoded,
/// turned upright and encoded again (JPEG at quality 90, PNG losslessly), within
/// [`PhotoLimits::default`]; the report says `reencoded`. That costs a little JPEG
/// quality, which is the price of not keeping a hand-edited EXIF block.
///
/// Other formats (WebP, GIF, anything else) are copied unchanged and reported with
/// `stripped: false`.
///
/// The whole file is read into memory (`img-parts` works on one buffer); for a photo of
/// a few tens of megabytes that is fine, and files over [`MAX_STRIP_BYTES`] are refused.
/// The copy is written beside `dst` and renamed into place, so `dst` never holds half a
/// picture and may be `src` itself.
pub fn strip_metadata(src: &Path, dst: &Path) -> Result<StripReport, PhotoError> {
    let size = fs::metadata(src)?.len();
    if size > MAX_STRIP_BYTES {
        return Err(PhotoError::FileTooLarge {
            size,
            max: MAX_STRIP_BYTES,
        });
    }
    let original = Bytes::from(fs::read(src)?);
    let original_len = original.len() as u64;
    let (copy, reencoded, stripped) = match image::guess_format(&original).ok() {
        Some(ImageFormat::Jpeg) => {
            let (copy, reencoded) = strip_jpeg(original)?;
            (copy, reencoded, true)
        }
        Some(ImageFormat::Png) => {
            let (copy, reencoded) = strip_png(original)?;
            (copy, reencoded, true)
        }
        _ => (original, false, false),
    };
    write_whole(dst, &copy)?;
    Ok(StripReport {
        removed_bytes: original_len.saturating_sub(copy.len() as u64),
        reencoded,
        stripped,
    })
}

/// The cleaned JPEG, and whether it was re-encoded.
fn strip_jpeg(original: Bytes) -> Result<(Bytes, bool), PhotoError> {
    let mut jpeg = Jpeg::from_bytes(original.clone()).map_err(parts_error)?;
    if let Some(orientation) = rotation(jpeg.exif()) {
        let icc = jpeg.icc_profile();
        return reencode(&original, ImageFormat::Jpeg, orientation, icc);
    }
    jpeg.segments_mut().retain(keep_jpeg_segment);
    let scan = first_scan_data(&jpeg);
    let mut copy = jpeg.encoder().bytes();
    if let Some(end) = scan.and_then(|start| end_of_first_image(&copy, start)) {
        copy.truncate(end);
    }
    Ok((copy, false))
}

/// JPEG segments kept: the ones that decode the picture (tables, frame, scans), the
/// ICC profile, Adobe's colour transform flag and a JFIF header without a thumbnail.
/// Every other application segment (EXIF and XMP in APP1, MPF in APP2, IPTC in APP13,
/// makers' own) and comments go.
fn keep_jpeg_segment(segment: &JpegSegment) -> bool {
    /// "JFIF\0", version, density units and x/y density, thumbnail width and height.
    const JFIF_WITHOUT_THUMBNAIL: usize = 14;
    let contents = segment.contents();
    match segment.marker() {
        markers::APP0 => {
            contents.starts_with(b"JFIF\0") && contents.len() <= JFIF_WITHOUT_THUMBNAIL
        }
        markers::APP2 => contents.starts_with(b"ICC_PROFILE\0"),
        markers::APP14 => contents.starts_with(b"Adobe"),
        markers::APP1..=markers::APP15 | markers::COM => false,
        _ => true,
    }
}

/// Where the first scan's compressed data starts in the encoded `jpeg`: `img-parts`
/// writes the start marker and then every segment as parsed, the first scan's data
/// (and the rest of the file) following its SOS segment.
fn first_scan_data(jpeg: &Jpeg) -> Option<usize> {
    let segments = jpeg.segments();
    let sos = segments.iter().position(|s| s.marker() == markers::SOS)?;
    Some(2 + segments[..=sos].iter().map(JpegSegment::len).sum::<usize>())
}

/// Just past the end-of-image marker of the first picture in `data`, walking from
/// `start` (inside the first scan's compressed data). `img-parts` keeps everything after
/// the first scan as one opaque block, and phones append second pictures (MPF depth
/// maps, gain maps; each with its own EXIF) and motion-photo videos after the end
/// marker. `None` (keep everything) if the walk does not end cleanly.
fn end_of_first_image(data: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    while i + 1 < data.len() {
        if data[i] != 0xFF {
            i += 1;
            continue;
        }
        match data[i + 1] {
            // Fill byte: the marker follows.
            0xFF => i += 1,
            // A stuffed 0xFF in compressed data, restart markers, TEM: no length.
            0x00 | 0x01 | markers::RST0..=markers::RST7 => i += 2,
            markers::EOI => return Some(i + 2),
            markers::SOI => return None,
            // A segment between scans (tables, the next scan's header): skip it whole,
            // since its contents may hold any byte.
            _ => {
                let len = u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]);
                if len < 2 {
                    return None;
                }
                i += 2 + usize::from(len);
            }
        }
    }
    None
}

/// The cleaned PNG, and whether it was re-encoded.
fn strip_png(original: Bytes) -> Result<(Bytes, bool), PhotoError> {
    let mut png = Png::from_bytes(original.clone()).map_err(parts_error)?;
    if let Some(orientation) = rotation(png.exif()) {
        let icc = png.icc_profile();
        return reencode(&original, ImageFormat::Png, orientation, icc);
    }
    png.chunks_mut()
        .retain(|chunk| PNG_KEEP.contains(&chunk.kind()));
    Ok((png.encoder().bytes(), false))
}

/// The orientation in `exif`, unless it is the normal one (or unreadable).
fn rotation(exif: Option<Bytes>) -> Option<Orientation> {
    exif.and_then(|exif| Orientation::from_exif_chunk(&exif))
        .filter(|orientation| *orientation != Orientation::NoTransforms)
}

/// Decodes `data`, turns it upright and encodes it again as `format`, with its colour
/// profile and nothing else.
fn reencode(
    data: &[u8],
    format: ImageFormat,
    orientation: Orientation,
    icc: Option<Bytes>,
) -> Result<(Bytes, bool), PhotoError> {
    let limits = PhotoLimits::default();
    let (_, width, height) = read_header(data)?;
    check_size(width, height, &limits)?;
    let reader = ImageReader::with_format(Cursor::new(data), format);
    let (mut image, _) = decode(reader, &limits, data.len() as u64)?;
    image.apply_orientation(orientation);
    let icc = icc.map(|icc| icc.to_vec()).unwrap_or_default();
    let mut out = Vec::new();
    // Both encoders take a profile; an empty one writes none.
    if format == ImageFormat::Jpeg {
        let mut encoder = JpegEncoder::new_with_quality(&mut out, REENCODE_QUALITY);
        let _ = encoder.set_icc_profile(icc);
        let encoded = match image {
            DynamicImage::ImageLuma8(gray) => encoder.encode_image(&gray),
            other => encoder.encode_image(&other.into_rgb8()),
        };
        encoded.map_err(image_error)?;
    } else {
        let mut encoder = PngEncoder::new(&mut out);
        let _ = encoder.set_icc_profile(icc);
        image.write_with_encoder(encoder).map_err(image_error)?;
    }
    Ok((Bytes::from(out), true))
}

fn write_whole(dst: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut part = dst.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let written = fs::write(&part, bytes).and_then(|()| fs::rename(&part, dst));
    if written.is_err() {
        let _ = fs::remove_file(&part);
    }
    written
}

fn parts_error(e: img_parts::Error) -> PhotoError {
    match e {
        img_parts::Error::Truncated => damaged("it ends too early"),
        other => damaged(other.to_string()),
    }
}
