//! Pictures are made here in code: camera-like JPEGs with EXIF, XMP, IPTC and comments
//! holding a marker that must never leave, PNGs with text chunks, and headers that
//! claim 30 000 × 30 000 pixels on a file of a few hundred bytes.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ImageEncoder, ImageFormat, Rgb, RgbImage, RgbaImage};
use img_parts::jpeg::{markers, Jpeg, JpegSegment};
use img_parts::png::{Png, PngChunk};
use img_parts::{Bytes, ImageEXIF, ImageICC};

use super::*;

/// Stands for a position and a name: found anywhere in a copy, metadata leaked.
const MARKER: &[u8] = b"GPS 52.5200N 13.4050E owner=alice";
const ICC: &[u8] = b"a colour profile, kept byte for byte";
const XMP_PREFIX: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128])
    })
}

fn jpeg_of(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(image)
        .unwrap();
    out
}

fn png_of(pixels: &[u8], width: u32, height: u32, color: image::ExtendedColorType) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(pixels, width, height, color)
        .unwrap();
    out
}

/// A little-endian EXIF block: the orientation, and the marker as the description.
fn exif(orientation: u16) -> Vec<u8> {
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        [
            &tag.to_le_bytes()[..],
            &kind.to_le_bytes(),
            &count.to_le_bytes(),
            &value.to_le_bytes(),
        ]
        .concat()
    };
    let data_at = 8 + 2 + 2 * 12 + 4;
    [
        &b"II*\0\x08\0\0\0\x02\0"[..],
        &entry(0x010E, 2, MARKER.len() as u32, data_at),
        &entry(0x0112, 3, 1, u32::from(orientation)),
        &[0; 4],
        MARKER,
    ]
    .concat()
}

/// A JPEG as a camera writes it: EXIF, XMP, IPTC, a comment and a colour profile.
fn camera_jpeg(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let mut jpeg = Jpeg::from_bytes(jpeg_of(&gradient(width, height)).into()).unwrap();
    jpeg.set_exif(Some(exif(orientation).into()));
    jpeg.set_icc_profile(Some(Bytes::from_static(ICC)));
    let segment = |marker, parts: &[&[u8]]| {
        JpegSegment::new_with_contents(marker, Bytes::from(parts.concat()))
    };
    let extra = [
        segment(markers::APP1, &[XMP_PREFIX, b"<x:xmpmeta>", MARKER]),
        segment(markers::APP13, &[b"Photoshop 3.0\0", MARKER]),
        segment(markers::COM, &[MARKER]),
    ];
    for (i, segment) in extra.into_iter().enumerate() {
        jpeg.segments_mut().insert(1 + i, segment);
    }
    jpeg.encoder().bytes().to_vec()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn pixels(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes).unwrap().into_rgb8()
}

#[test]
fn the_preview_is_small_and_carries_no_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let original = camera_jpeg(640, 480, 1);
    assert!(contains(&original, MARKER));
    let path = write(dir.path(), "photo.jpg", &original);

    let preview = make_preview(&path, &PhotoLimits::default()).unwrap();

    assert_eq!((preview.width, preview.height), (320, 240));
    assert_eq!((preview.source_width, preview.source_height), (640, 480));
    assert_eq!(pixels(&preview.jpeg).dimensions(), (320, 240));
    assert!(!contains(&preview.jpeg, MARKER));
    assert!(!contains(&preview.jpeg, b"Exif\0\0"));
    assert!(!contains(&preview.jpeg, XMP_PREFIX));
    assert!(preview.jpeg.len() <= PREVIEW_GOAL_BYTES);
    assert_eq!(check_preview(&preview.jpeg).unwrap(), (320, 240));
}

#[test]
fn the_preview_is_upright_and_small_pictures_are_not_enlarged() {
    let dir = tempfile::tempdir().unwrap();
    // Orientation 6: stored 64 × 48, shown turned 90° clockwise.
    let path = write(dir.path(), "turned.jpg", &camera_jpeg(64, 48, 6));

    let preview = make_preview(&path, &PhotoLimits::default()).unwrap();

    assert_eq!((preview.width, preview.height), (48, 64));
    assert_eq!((preview.source_width, preview.source_height), (48, 64));
}

#[test]
fn transparency_is_laid_on_white() {
    let dir = tempfile::tempdir().unwrap();
    let clear = RgbaImage::new(400, 200);
    let png = png_of(clear.as_raw(), 400, 200, image::ExtendedColorType::Rgba8);
    let path = write(dir.path(), "clear.png", &png);

    let preview = make_preview(&path, &PhotoLimits::default()).unwrap();

    assert_eq!((preview.width, preview.height), (320, 160));
    let shown = pixels(&preview.jpeg);
    assert!(shown.pixels().all(|p| p.0.iter().all(|&c| c > 245)));
}

#[test]
fn a_preview_of_noise_still_fits() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = 0x2545_f491_u32;
    let noise = RgbImage::from_fn(640, 640, |_, _| {
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        };
        Rgb([next(), next(), next()])
    });
    let path = write(
        dir.path(),
        "noise.png",
        &png_of(noise.as_raw(), 640, 640, image::ExtendedColorType::Rgb8),
    );

    let preview = make_preview(&path, &PhotoLimits::default()).unwrap();

    assert!(
        preview.jpeg.len() <= PREVIEW_GOAL_BYTES,
        "{}",
        preview.jpeg.len()
    );
    assert_eq!(check_preview(&preview.jpeg).unwrap(), (320, 320));
}

#[test]
fn stripping_a_jpeg_removes_metadata_and_keeps_pixels_and_colour() {
    let dir = tempfile::tempdir().unwrap();
    let original = camera_jpeg(96, 64, 1);
    let src = write(dir.path(), "photo.jpg", &original);
    let dst = dir.path().join("clean.jpg");

    let report = strip_metadata(&src, &dst).unwrap();

    let copy = std::fs::read(&dst).unwrap();
    assert!(report.stripped && !report.reencoded);
    assert_eq!(report.removed_bytes, (original.len() - copy.len()) as u64);
    assert!(report.removed_bytes > 0);
    for leak in [MARKER, b"Exif\0\0", XMP_PREFIX, b"Photoshop 3.0"] {
        assert!(!contains(&copy, leak));
    }
    assert_eq!(pixels(&copy), pixels(&original));
    let copy = Jpeg::from_bytes(copy.into()).unwrap();
    assert_eq!(copy.icc_profile().as_deref(), Some(ICC));
}

#[test]
fn stripping_a_jpeg_drops_what_is_appended_after_it() {
    let dir = tempfile::tempdir().unwrap();
    // A phone's second picture (an MPF depth map, a gain map) with its own EXIF.
    let first = jpeg_of(&gradient(48, 32));
    let second = camera_jpeg(16, 16, 1);
    let src = write(dir.path(), "two.jpg", &[&first[..], &second].concat());
    let dst = dir.path().join("one.jpg");

    let report = strip_metadata(&src, &dst).unwrap();

    let copy = std::fs::read(&dst).unwrap();
    assert!(report.stripped && !report.reencoded);
    assert!(!contains(&copy, MARKER));
    assert_eq!(copy.len(), first.len());
    assert_eq!(pixels(&copy), pixels(&first));
}

#[test]
fn stripping_a_turned_jpeg_encodes_it_upright() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(dir.path(), "turned.jpg", &camera_jpeg(64, 48, 6));
    let dst = dir.path().join("upright.jpg");

    let report = strip_metadata(&src, &dst).unwrap();

    let copy = std::fs::read(&dst).unwrap();
    assert!(report.stripped && report.reencoded);
    assert!(!contains(&copy, MARKER));
    assert!(!contains(&copy, b"Exif\0\0"));
    assert_eq!(pixels(&copy).dimensions(), (48, 64));
    let copy = Jpeg::from_bytes(copy.into()).unwrap();
    assert_eq!(copy.icc_profile().as_deref(), Some(ICC));
}

#[test]
fn stripping_a_png_removes_exif_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let image = gradient(16, 16);
    let plain = png_of(image.as_raw(), 16, 16, image::ExtendedColorType::Rgb8);
    let mut png = Png::from_bytes(plain.into()).unwrap();
    let chunk = |kind: &[u8; 4], parts: &[&[u8]]| PngChunk::new(*kind, Bytes::from(parts.concat()));
    let extra = [
        chunk(b"eXIf", &[&exif(1)]),
        chunk(b"tEXt", &[b"Comment\0", MARKER]),
        chunk(b"iTXt", &[b"XML:com.adobe.xmp\0\0\0\0\0", MARKER]),
    ];
    for (i, chunk) in extra.into_iter().enumerate() {
        png.chunks_mut().insert(1 + i, chunk);
    }
    let original = png.encoder().bytes().to_vec();
    let src = write(dir.path(), "shot.png", &original);
    let dst = dir.path().join("clean.png");

    let report = strip_metadata(&src, &dst).unwrap();

    let copy = std::fs::read(&dst).unwrap();
    assert!(report.stripped && !report.reencoded);
    assert!(!contains(&copy, MARKER));
    assert!(!contains(&copy, b"eXIf"));
    assert_eq!(pixels(&copy), image);
}

#[test]
fn a_photo_can_be_cleaned_in_place_and_a_giant_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "photo.jpg", &camera_jpeg(32, 32, 1));
    assert!(strip_metadata(&path, &path).unwrap().stripped);
    assert!(!contains(&std::fs::read(&path).unwrap(), MARKER));
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no .part file is left behind");

    // Sparse: takes no disk space, and must not be read.
    let giant = dir.path().join("giant.jpg");
    let file = std::fs::File::create(&giant).unwrap();
    file.set_len(MAX_STRIP_BYTES + 1).unwrap();
    let dst = dir.path().join("copy.jpg");
    assert!(matches!(
        strip_metadata(&giant, &dst),
        Err(PhotoError::FileTooLarge { .. })
    ));
    assert!(!dst.exists());
}

#[test]
fn other_files_are_copied_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let text = b"GIF89a is not really here, this is a note".to_vec();
    let src = write(dir.path(), "note.gif", &text);
    let dst = dir.path().join("copy.gif");

    let report = strip_metadata(&src, &dst).unwrap();

    assert_eq!(
        report,
        StripReport {
            removed_bytes: 0,
            reencoded: false,
            stripped: false
        }
    );
    assert_eq!(std::fs::read(&dst).unwrap(), text);
}

/// A 1 × 1 PNG whose header claims `width` × `height`, with a valid checksum.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = png_of(&[0, 0, 0], 1, 1, image::ExtendedColorType::Rgb8);
    // Signature (8), length (4), "IHDR" (4), then width and height; the CRC covers
    // the type and the 13 data bytes.
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// A 8 × 8 JPEG whose frame header claims `width` × `height`.
fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = Jpeg::from_bytes(jpeg_of(&gradient(8, 8)).into()).unwrap();
    let at = jpeg
        .segments()
        .iter()
        .position(|s| s.marker() == markers::SOF0)
        .unwrap();
    let mut frame = jpeg.segments()[at].contents().to_vec();
    frame[1..3].copy_from_slice(&height.to_be_bytes());
    frame[3..5].copy_from_slice(&width.to_be_bytes());
    jpeg.segments_mut()[at] = JpegSegment::new_with_contents(markers::SOF0, frame.into());
    jpeg.encoder().bytes().to_vec()
}

fn assert_too_large<T: std::fmt::Debug>(result: Result<T, PhotoError>, side: u32) {
    match result {
        Err(PhotoError::TooLarge { width, height }) => assert_eq!((width, height), (side, side)),
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn huge_pictures_are_refused_from_the_header() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let png = write(dir.path(), "huge.png", &png_claiming(30_000, 30_000));
    let jpeg_bytes = jpeg_claiming(30_000, 30_000);
    let jpeg = write(dir.path(), "huge.jpg", &jpeg_bytes);
    let limits = PhotoLimits::default();

    for path in [&png, &jpeg] {
        assert_too_large(make_preview(path, &limits), 30_000);
        assert_too_large(check_dimensions(path, &limits), 30_000);
    }
    assert_too_large(check_preview(&jpeg_bytes), 30_000);
    let message = check_dimensions(&png, &limits).unwrap_err().to_string();
    assert_eq!(
        message,
        "the picture is 30000 × 30000 pixels, too large to open safely"
    );
    // Nothing was decoded: 30 000² pixels would take gigabytes and seconds.
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn the_memory_limit_holds_within_the_side_limits() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "photo.jpg", &jpeg_of(&gradient(100, 100)));
    let stingy = PhotoLimits {
        max_alloc: 1000,
        ..PhotoLimits::default()
    };

    assert_too_large(make_preview(&path, &stingy), 100);
    assert_eq!(check_dimensions(&path, &stingy).unwrap(), (100, 100));
}

#[test]
fn damaged_files_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let limits = PhotoLimits::default();
    let jpeg = camera_jpeg(64, 48, 1);
    let png = png_of(
        gradient(16, 16).as_raw(),
        16,
        16,
        image::ExtendedColorType::Rgb8,
    );

    // Cut inside the header: there is no picture to speak of.
    let cut = write(dir.path(), "cut.jpg", &jpeg[..20]);
    assert!(matches!(
        make_preview(&cut, &limits),
        Err(PhotoError::Damaged { .. })
    ));
    assert!(matches!(
        check_dimensions(&cut, &limits),
        Err(PhotoError::Damaged { .. })
    ));
    let dst = dir.path().join("out");
    assert!(matches!(
        strip_metadata(&cut, &dst),
        Err(PhotoError::Damaged { .. })
    ));

    for garbage in [&b""[..], b"not a picture at all", &[0xFF; 64]] {
        let path = write(dir.path(), "garbage", garbage);
        assert!(matches!(
            make_preview(&path, &limits),
            Err(PhotoError::NotAPicture)
        ));
        assert!(matches!(
            check_dimensions(&path, &limits),
            Err(PhotoError::NotAPicture)
        ));
    }

    // Every other length: any answer will do, as long as there is one.
    for original in [&jpeg, &png] {
        for len in (0..original.len()).step_by(7) {
            let path = write(dir.path(), "partial", &original[..len]);
            let _ = make_preview(&path, &limits);
            let _ = check_dimensions(&path, &limits);
            let _ = strip_metadata(&path, &dst);
            let _ = check_preview(&original[..len]);
        }
    }
}

#[test]
fn check_preview_takes_only_small_jpegs() {
    let png = png_of(
        gradient(16, 16).as_raw(),
        16,
        16,
        image::ExtendedColorType::Rgb8,
    );
    assert!(matches!(
        check_preview(&png),
        Err(PhotoError::PreviewNotJpeg)
    ));
    assert!(matches!(
        check_preview(b""),
        Err(PhotoError::PreviewNotJpeg)
    ));

    let oversize = [jpeg_of(&gradient(64, 64)), vec![0; 64 * 1024]].concat();
    assert!(matches!(
        check_preview(&oversize),
        Err(PhotoError::PreviewTooBig {
            max: MAX_RECEIVED_PREVIEW_BYTES,
            ..
        })
    ));

    assert_too_large(check_preview(&jpeg_claiming(2000, 2000)), 2000);
    assert_eq!(
        check_preview(&jpeg_of(&gradient(64, 48))).unwrap(),
        (64, 48)
    );
}

#[test]
fn photos_are_told_by_their_bytes_and_media_types() {
    let jpeg = jpeg_of(&gradient(8, 8));
    let png = png_of(
        gradient(8, 8).as_raw(),
        8,
        8,
        image::ExtendedColorType::Rgb8,
    );
    assert_eq!(sniff_mime(&jpeg), Some("image/jpeg"));
    assert_eq!(sniff_mime(&png), Some("image/png"));
    assert_eq!(sniff_mime(b"GIF89a\x01\0\x01\0"), Some("image/gif"));
    assert_eq!(sniff_mime(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
    assert_eq!(sniff_mime(b"BM\0\0"), None);
    assert_eq!(sniff_mime(b"%PDF-1.7"), None);
    assert_eq!(sniff_mime(b""), None);

    assert!(is_photo("image/jpeg"));
    assert!(is_photo("IMAGE/PNG; charset=binary"));
    assert!(is_photo("image/jpg"));
    assert_eq!(is_photo("image/webp"), ImageFormat::WebP.reading_enabled());
    assert_eq!(is_photo("image/gif"), ImageFormat::Gif.reading_enabled());
    assert!(!is_photo("image/tiff"));
    assert!(!is_photo("application/pdf"));
    assert!(!is_photo(""));
}
