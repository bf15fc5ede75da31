//! Round trips through every rendered form, and every refusal path of the readers.

#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;
use crate::CodeError;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A realistic invite: the prefix, then uppercase base32 up to `len` characters.
fn base32_code(len: usize, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut code = String::from("TINCAN-I1-");
    while code.len() < len {
        code.push(BASE32[(rng.next_u32() % 32) as usize] as char);
    }
    code
}

fn qr_reason(result: Result<String, CodeError>) -> String {
    match result {
        Err(CodeError::Qr { reason }) => reason,
        other => panic!("expected a QR error, got {other:?}"),
    }
}

/// Places several rendered symbols side by side on one white frame.
fn side_by_side(images: &[&QrImage], module_px: u32) -> (u32, u32, Vec<u8>) {
    let rendered: Vec<(u32, Vec<u8>)> = images.iter().map(|i| i.to_luma(module_px)).collect();
    let width: u32 = rendered.iter().map(|(s, _)| s).sum();
    let height = rendered.iter().map(|(s, _)| *s).max().unwrap_or(0);
    let mut frame = vec![255u8; (width * height) as usize];
    let mut x0 = 0;
    for (side, pixels) in &rendered {
        for y in 0..*side {
            for x in 0..*side {
                frame[(y * width + x0 + x) as usize] = pixels[(y * side + x) as usize];
            }
        }
        x0 += side;
    }
    (width, height, frame)
}

#[test]
fn base32_code_uses_alphanumeric_mode_and_fits_version_10_at_m() {
    let code = base32_code(290, 1);
    let qr = render(&code).unwrap();
    // Byte mode would need 290 bytes: more than version 10 holds even at L (271).
    // Alphanumeric mode fits version 10 at M (311 characters) but not at Q (221).
    assert_eq!((qr.version(), qr.ec_level()), (10, EcLevel::M));
    assert_eq!(qr.size(), 57);
    let lower = render(&code.to_lowercase()).unwrap();
    assert!(
        lower.version() > 10,
        "the same text in byte mode should need a larger symbol, got version {}",
        lower.version()
    );
}

#[test]
fn short_codes_get_q_and_long_texts_fall_back_to_l() {
    let short = render(&base32_code(150, 2)).unwrap();
    assert_eq!(short.ec_level(), EcLevel::Q);
    assert!(short.version() <= 10);
    // A browser's raw session description is ~750 characters of JSON: byte mode,
    // too much for version 10 at any level.
    let json = browser_json();
    let long = render(&json).unwrap();
    assert_eq!(long.ec_level(), EcLevel::L);
    assert!(long.version() > 10);
    let (side, pixels) = long.to_luma(4);
    assert_eq!(decode_gray(side, side, &pixels).unwrap(), json);
}

/// A stand-in for a browser offer: the shape and length of Chromium's JSON.
pub(super) fn browser_json() -> String {
    let sdp = "v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\na=group:BUNDLE 0\\r\\na=extmap-allow-mixed\\r\\na=msid-semantic: WMS\\r\\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\\r\\nc=IN IP4 0.0.0.0\\r\\na=candidate:1467250027 1 udp 2122260223 192.168.1.23 51234 typ host generation 0 network-id 1\\r\\na=candidate:3624432123 1 udp 1686052607 203.0.113.7 51234 typ srflx raddr 192.168.1.23 rport 51234 generation 0\\r\\na=ice-ufrag:Xk3e\\r\\na=ice-pwd:7fPq0aL9sR2tY4uV6wX8zB1c\\r\\na=ice-options:trickle\\r\\na=fingerprint:sha-256 3C:4A:9F:0B:12:77:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD\\r\\na=setup:actpass\\r\\na=mid:0\\r\\na=sctp-port:5000\\r\\na=max-message-size:262144\\r\\n";
    let json = format!("{{\"type\":\"offer\",\"sdp\":\"{sdp}\"}}");
    assert!((700..800).contains(&json.len()), "{}", json.len());
    json
}

#[test]
fn png_round_trip() {
    let code = base32_code(290, 3);
    let png = render(&code).unwrap().to_png(4);
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(decode_image_bytes(&png).unwrap(), code);
}

#[test]
fn png_module_size_is_clamped() {
    let qr = render("TINCAN-TEST").unwrap();
    let (side, _) = qr.to_luma(10_000);
    assert_eq!(side, (qr.size() + 2 * QUIET_ZONE) * MAX_MODULE_PX);
    let (side, _) = qr.to_luma(0);
    assert_eq!(side, qr.size() + 2 * QUIET_ZONE);
}

#[test]
fn jpeg_file_round_trip() {
    let code = base32_code(290, 4);
    let (side, pixels) = render(&code).unwrap().to_luma(6);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode(&pixels, side, side, image::ExtendedColorType::L8)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("code.jpg");
    std::fs::write(&path, &jpeg).unwrap();
    assert_eq!(decode_image_file(&path).unwrap(), code);
}

#[test]
fn colour_png_is_read_by_luminance() {
    // A dark-blue-on-yellow code, as a themed app might draw it.
    let code = base32_code(200, 5);
    let (side, pixels) = render(&code).unwrap().to_luma(5);
    let rgb: Vec<u8> = pixels
        .iter()
        .flat_map(|&p| {
            if p == 0 {
                [20, 30, 120]
            } else {
                [250, 230, 120]
            }
        })
        .collect();
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &rgb,
        side,
        side,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    assert_eq!(decode_image_bytes(&png).unwrap(), code);
}

#[test]
fn strided_frame_round_trip() {
    let code = base32_code(290, 6);
    let (side, pixels) = render(&code).unwrap().to_luma(3);
    let stride = side + 13;
    let mut plane = vec![0u8; (stride * side) as usize];
    for y in 0..side {
        let row = &pixels[(y * side) as usize..((y + 1) * side) as usize];
        plane[(y * stride) as usize..(y * stride + side) as usize].copy_from_slice(row);
    }
    // The padding is black: if it were read, the quiet zone would be gone.
    assert_eq!(
        decode_gray_strided(side, side, stride, &plane).unwrap(),
        code
    );
    // The last row's padding may be missing.
    let short = &plane[..plane.len() - 13];
    assert_eq!(
        decode_gray_strided(side, side, stride, short).unwrap(),
        code
    );
}

#[test]
fn tincan_code_wins_over_other_codes_in_the_frame() {
    let other = render("https://example.com/not-a-tincan-code").unwrap();
    let code = base32_code(250, 7);
    let ours = render(&code).unwrap();
    for order in [[&other, &ours], [&ours, &other]] {
        let (w, h, frame) = side_by_side(&order, 3);
        assert_eq!(decode_gray(w, h, &frame).unwrap(), code);
    }
    // Without a Tincan code, any text is returned.
    let (w, h, frame) = side_by_side(&[&other], 3);
    assert_eq!(
        decode_gray(w, h, &frame).unwrap(),
        "https://example.com/not-a-tincan-code"
    );
}

#[test]
fn svg_is_well_formed_and_draws_the_modules() {
    let qr = render(&base32_code(290, 8)).unwrap();
    let svg = qr.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let n = qr.size() + 2 * QUIET_ZONE;
    assert_eq!(
        root.attribute("viewBox"),
        Some(format!("0 0 {n} {n}").as_str())
    );
    let path = root
        .children()
        .find(|c| c.has_tag_name("path"))
        .expect("a path of dark modules");
    // Rebuild the module grid from the path's runs ("M{x} {y}h{run}v1h-{run}z").
    let mut dark = vec![false; (n * n) as usize];
    for run in path
        .attribute("d")
        .unwrap()
        .split('z')
        .filter(|s| !s.is_empty())
    {
        let rest = run.strip_prefix('M').unwrap();
        let (xy, rest) = rest.split_once('h').unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let (len, tail) = rest.split_once('v').unwrap();
        let (x, y, len): (u32, u32, u32) =
            (x.parse().unwrap(), y.parse().unwrap(), len.parse().unwrap());
        assert_eq!(tail, format!("1h-{len}"));
        for i in x..x + len {
            dark[(y * n + i) as usize] = true;
        }
    }
    for y in 0..n {
        for x in 0..n {
            let expected =
                x >= QUIET_ZONE && y >= QUIET_ZONE && qr.is_dark(x - QUIET_ZONE, y - QUIET_ZONE);
            assert_eq!(dark[(y * n + x) as usize], expected, "module ({x}, {y})");
        }
    }
}

/// Reads half-block text back into modules (quiet zone included).
fn modules_from_half_blocks(lines: &[&str], n: u32) -> Vec<bool> {
    let mut dark = vec![false; (n * n) as usize];
    for (row, line) in lines.iter().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        assert_eq!(chars.len() as u32, n, "line {row} width");
        for (x, c) in chars.iter().enumerate() {
            let (top, bottom) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                ' ' => (false, false),
                other => panic!("unexpected character {other:?}"),
            };
            let y = 2 * row as u32;
            dark[(y * n) as usize + x] = top;
            if y + 1 < n {
                dark[((y + 1) * n) as usize + x] = bottom;
            } else {
                assert!(!bottom, "the padding half-row must be light");
            }
        }
    }
    dark
}

#[test]
fn terminal_string_has_the_right_shape_and_modules() {
    let qr = render(&base32_code(290, 9)).unwrap();
    let n = qr.size() + 2 * QUIET_ZONE;
    let terminal = qr.to_terminal();
    let lines: Vec<&str> = terminal.lines().collect();
    assert_eq!(lines.len() as u32, n.div_ceil(2));
    assert!(terminal.ends_with('\n'));
    let bare: Vec<&str> = lines
        .iter()
        .map(|l| {
            l.strip_prefix("\x1b[30;47m")
                .and_then(|l| l.strip_suffix("\x1b[0m"))
                .expect("each line sets black on white and resets at its end")
        })
        .collect();
    // The quiet zone: two blank lines on top, four blank columns on each side.
    assert!(bare[0].chars().all(|c| c == ' ') && bare[1].chars().all(|c| c == ' '));
    for line in &bare {
        let chars: Vec<char> = line.chars().collect();
        assert!(chars[..4]
            .iter()
            .chain(&chars[chars.len() - 4..])
            .all(|&c| c == ' '));
    }
    let dark = modules_from_half_blocks(&bare, n);
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            assert_eq!(
                dark[((y + QUIET_ZONE) * n + x + QUIET_ZONE) as usize],
                qr.is_dark(x, y)
            );
        }
    }
    // The plain form is the same blocks without escapes.
    let plain = qr.to_text();
    assert!(!plain.contains('\x1b'));
    assert_eq!(plain.lines().collect::<Vec<_>>(), bare);
}

#[test]
fn render_refuses_empty_and_oversized_text() {
    assert!(matches!(render(""), Err(CodeError::Qr { .. })));
    let huge = "x".repeat(3000);
    let reason = match render(&huge) {
        Err(CodeError::Qr { reason }) => reason,
        other => panic!("expected an error, got {other:?}"),
    };
    assert!(reason.contains("too long"), "{reason}");
}

#[test]
fn wrong_buffer_sizes_are_errors() {
    assert!(qr_reason(decode_gray(10, 10, &[255; 99])).contains("99 bytes"));
    assert!(qr_reason(decode_gray(10, 10, &[255; 101])).contains("need 100"));
    assert!(qr_reason(decode_gray(0, 0, &[])).contains("empty"));
    assert!(qr_reason(decode_gray(0, 10, &[])).contains("empty"));
    // Overflowing products must not wrap around to a small number.
    assert!(qr_reason(decode_gray(u32::MAX, u32::MAX, &[1])).contains("bytes"));
    assert!(qr_reason(decode_gray_strided(10, 10, 9, &[255; 100])).contains("apart"));
    assert!(qr_reason(decode_gray_strided(10, 10, 12, &[255; 100])).contains("need 118"));
    let big = MAX_IMAGE_SIDE + 1;
    assert!(qr_reason(decode_gray_strided(big, 1, big, &[0; 1])).contains("too large"));
}

#[test]
fn empty_and_garbage_bytes_are_errors() {
    assert!(qr_reason(decode_image_bytes(&[])).contains("empty"));
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert!(qr_reason(decode_image_bytes(&garbage)).contains("not a PNG or JPEG"));
    // A real PNG cut in half.
    let png = render("TINCAN-TEST").unwrap().to_png(4);
    let reason = qr_reason(decode_image_bytes(&png[..png.len() / 2]));
    assert!(reason.contains("damaged"), "{reason}");
    // A GIF header: recognised, but not a format Tincan reads.
    let reason = qr_reason(decode_image_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"));
    assert!(reason.contains("PNG and JPEG"), "{reason}");
}

#[test]
fn missing_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let reason = qr_reason(decode_image_file(&dir.path().join("nope.png")));
    assert!(reason.contains("could not be opened"), "{reason}");
}

/// A PNG whose header claims `width × height` pixels, with valid chunk checksums.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn hostile_image_sizes_are_refused_before_decoding() {
    for (w, h) in [(100_000, 100_000), (8192, 8192), (1, 1_000_000)] {
        let reason = qr_reason(decode_image_bytes(&png_claiming(w, h)));
        assert!(reason.contains("too large"), "{w}×{h}: {reason}");
    }
}

#[test]
fn images_without_a_qr_code_are_errors() {
    let white = vec![255u8; 200 * 150];
    assert!(qr_reason(decode_gray(200, 150, &white)).contains("no QR code"));
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    let mut noise = vec![0u8; 200 * 150];
    rng.fill_bytes(&mut noise);
    assert!(decode_gray(200, 150, &noise).is_err());
    // The same through a PNG file.
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &white,
        200,
        150,
        image::ExtendedColorType::L8,
    )
    .unwrap();
    assert!(qr_reason(decode_image_bytes(&png)).contains("no QR code"));
}

#[test]
fn a_damaged_symbol_is_reported_as_unreadable() {
    // Wipe the data area but keep the three finder patterns: the code is found
    // and cannot be read.
    let qr = render(&base32_code(290, 11)).unwrap();
    let px = 4;
    let (side, mut pixels) = qr.to_luma(px);
    let keep = (QUIET_ZONE + 9) * px;
    for y in 0..side {
        for x in 0..side {
            let (left, top) = (x < keep, y < keep);
            let (right, bottom) = (x >= side - keep, y >= side - keep);
            let in_finder = (top && (left || right)) || (left && bottom);
            if !in_finder && (x / px + y / px) % 3 == 0 {
                pixels[(y * side + x) as usize] ^= 255;
            }
        }
    }
    let reason = qr_reason(decode_gray(side, side, &pixels));
    assert!(reason.contains("found but could not be read"), "{reason}");
}
