//! Degrades rendered QR codes the way cameras, screens and screenshots do, and
//! measures how often the core still reads them. Shared by the robustness test
//! (`tests/qr_robustness.rs`) and the benchmark (`examples/qr_robustness.rs`).
//!
//! Everything is seeded: the same seed gives the same images, so a rate that drops
//! points at a change in the code, not at luck.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    clippy::needless_range_loop
)]

use std::time::Instant;

use image::{imageops, GrayImage};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tincan_core::qr::{self, QrImage, QUIET_ZONE};

/// Seeded randomness with the few distributions the scenes need.
pub struct Rng(ChaCha8Rng);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(ChaCha8Rng::seed_from_u64(seed))
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        f64::from(self.0.next_u32()) / 4_294_967_296.0
    }
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    pub fn below(&mut self, n: u32) -> u32 {
        self.0.next_u32() % n
    }
    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-12);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A realistic invite code: `TINCAN-I1-` and uppercase base32, `len` characters.
pub fn tincan_code(len: usize, rng: &mut Rng) -> String {
    let mut code = String::from("TINCAN-I1-");
    while code.len() < len {
        code.push(BASE32[rng.below(32) as usize] as char);
    }
    code
}

/// What else is in the picture besides the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clutter {
    None,
    /// Dark rectangles, disks and lines of random grey around the code.
    Shapes,
    /// Lines of glyph-like marks above and below (a caption, a chat bubble). Not a
    /// real font: 5 × 7 random-bitmap glyphs at text size.
    Text,
    /// Half of another QR code cut off by the picture's edge.
    PartialQr,
    /// A complete second, non-Tincan QR code beside ours.
    SecondQr,
}

/// One way of spoiling the picture, with its strength.
#[derive(Clone, Debug)]
pub struct Degradation {
    /// The kind, for the table's first column.
    pub group: &'static str,
    /// The strength, for the second column.
    pub label: String,
    /// Pixels per module in the final picture.
    pub module_px: f64,
    /// Draw through the real PNG path (`to_luma(8)`) and resize with a triangle
    /// filter to `module_px`, instead of the camera-like area-sampled projection.
    pub resample: bool,
    /// Rotation in degrees (a random ±2° is added unless it is a multiple of 90).
    pub rotate_deg: f64,
    /// Perspective: each corner moves by up to this fraction of the side.
    pub perspective: f64,
    /// Gaussian blur, σ in pixels.
    pub blur_sigma: f32,
    /// Gaussian sensor noise, standard deviation in grey levels.
    pub noise_sd: f64,
    /// Grey levels of black and white after lighting (0, 255 is full contrast).
    pub contrast: (u8, u8),
    /// Uneven light: brightness falls by this fraction across the picture.
    pub shadow: f64,
    pub clutter: Clutter,
    /// JPEG round trip at this quality.
    pub jpeg_quality: Option<u8>,
}

impl Degradation {
    fn base(group: &'static str, label: impl Into<String>) -> Self {
        Degradation {
            group,
            label: label.into(),
            module_px: 4.0,
            resample: false,
            rotate_deg: 0.0,
            perspective: 0.0,
            blur_sigma: 0.0,
            noise_sd: 0.0,
            contrast: (0, 255),
            shadow: 0.0,
            clutter: Clutter::None,
            jpeg_quality: None,
        }
    }

    /// A stable name for thresholds and seeds.
    pub fn key(&self) -> String {
        format!("{} {}", self.group, self.label)
    }
}

/// The whole table: every degradation at several strengths. Unless a row says
/// otherwise a module is 4 px and the code is upright, sharp and clean.
pub fn suite() -> Vec<Degradation> {
    let mut rows = vec![Degradation::base("clean", "4 px/module")];
    for px in [3.0, 2.5, 2.0, 1.7, 1.5] {
        rows.push(Degradation {
            module_px: px,
            resample: true,
            ..Degradation::base("scale (PNG resampled)", format!("{px} px/module"))
        });
    }
    for deg in [10.0, 30.0, 45.0, 90.0] {
        rows.push(Degradation {
            rotate_deg: deg,
            ..Degradation::base("rotation", format!("{deg}°"))
        });
    }
    for sigma in [0.8, 1.2, 1.6, 2.0, 2.4] {
        rows.push(Degradation {
            blur_sigma: sigma,
            ..Degradation::base("blur", format!("σ {sigma} px"))
        });
    }
    for sd in [10.0, 25.0, 40.0, 60.0] {
        rows.push(Degradation {
            noise_sd: sd,
            ..Degradation::base("noise", format!("sd {sd}"))
        });
    }
    for p in [0.05, 0.10, 0.15, 0.20] {
        rows.push(Degradation {
            perspective: p,
            ..Degradation::base("perspective", format!("corners ±{}%", p * 100.0))
        });
    }
    for (dark, light) in [(70u8, 180u8), (100, 150), (115, 140), (120, 132)] {
        rows.push(Degradation {
            contrast: (dark, light),
            noise_sd: 2.0,
            ..Degradation::base("low contrast", format!("{dark}–{light} (+noise 2)"))
        });
    }
    for shadow in [0.4, 0.7] {
        rows.push(Degradation {
            shadow,
            ..Degradation::base("uneven light", format!("−{}% across", shadow * 100.0))
        });
    }
    for (clutter, label) in [
        (Clutter::Shapes, "shapes"),
        (Clutter::Text, "text"),
        (Clutter::PartialQr, "half another QR"),
        (Clutter::SecondQr, "second QR"),
    ] {
        rows.push(Degradation {
            clutter,
            ..Degradation::base("clutter", label)
        });
    }
    for q in [90u8, 50, 25, 10] {
        rows.push(Degradation {
            jpeg_quality: Some(q),
            ..Degradation::base("JPEG", format!("quality {q}"))
        });
    }
    rows.push(Degradation {
        module_px: 3.5,
        rotate_deg: 8.0,
        perspective: 0.06,
        blur_sigma: 1.0,
        noise_sd: 6.0,
        contrast: (40, 210),
        shadow: 0.3,
        clutter: Clutter::Text,
        jpeg_quality: Some(75),
        ..Degradation::base(
            "phone photo",
            "all of: 3.5 px, 8°, ±6%, σ1, sd 6, 40–210, −30%, text, JPEG 75",
        )
    });
    rows
}

/// What the other QR codes in a cluttered picture say.
const OTHER_QR_PREFIX: &str = "https://example.org/menu?table=";

/// A picture: width, height, grey pixels.
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// Solves the 3 × 3 homography (h33 = 1) mapping each `from` point to its `to` point.
fn homography(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> [f64; 9] {
    let mut a = [[0.0f64; 9]; 8];
    for i in 0..4 {
        let ((x, y), (u, v)) = (from[i], to[i]);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for col in 0..8 {
        let pivot = (col..8)
            .max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))
            .unwrap();
        a.swap(col, pivot);
        for row in 0..8 {
            if row != col {
                let f = a[row][col] / a[col][col];
                for k in col..9 {
                    a[row][k] -= f * a[col][k];
                }
            }
        }
    }
    let h: Vec<f64> = (0..8).map(|i| a[i][8] / a[i][i]).collect();
    [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1.0]
}

fn apply(h: &[f64; 9], x: f64, y: f64) -> (f64, f64) {
    let w = h[6] * x + h[7] * y + h[8];
    (
        (h[0] * x + h[1] * y + h[2]) / w,
        (h[3] * x + h[4] * y + h[5]) / w,
    )
}

/// Draws `qr` (quiet zone included) into `canvas` so that its square lands on
/// `quad` (top-left, top-right, bottom-right, bottom-left), sampling each pixel
/// 2 × 2 times as a camera sensor integrates light.
fn project(canvas: &mut Picture, qr: &QrImage, quad: [(f64, f64); 4]) {
    let n = f64::from(qr.size() + 2 * QUIET_ZONE);
    let square = [(0.0, 0.0), (n, 0.0), (n, n), (0.0, n)];
    let to_modules = homography(quad, square);
    let xs = quad.iter().map(|p| p.0);
    let ys = quad.iter().map(|p| p.1);
    let x0 = xs.clone().fold(f64::MAX, f64::min).floor().max(0.0) as u32;
    let x1 = (xs.fold(f64::MIN, f64::max).ceil() as u32).min(canvas.width);
    let y0 = ys.clone().fold(f64::MAX, f64::min).floor().max(0.0) as u32;
    let y1 = (ys.fold(f64::MIN, f64::max).ceil() as u32).min(canvas.height);
    const S: u32 = 2;
    for y in y0..y1 {
        for x in x0..x1 {
            let i = (y * canvas.width + x) as usize;
            let background = f64::from(canvas.pixels[i]);
            let mut sum = 0.0;
            for sy in 0..S {
                for sx in 0..S {
                    let px = f64::from(x) + (f64::from(sx) + 0.5) / f64::from(S);
                    let py = f64::from(y) + (f64::from(sy) + 0.5) / f64::from(S);
                    let (u, v) = apply(&to_modules, px, py);
                    sum += if u >= 0.0 && v >= 0.0 && u < n && v < n {
                        let (mx, my) = (u as u32, v as u32);
                        let dark = mx >= QUIET_ZONE
                            && my >= QUIET_ZONE
                            && qr.is_dark(mx - QUIET_ZONE, my - QUIET_ZONE);
                        if dark {
                            0.0
                        } else {
                            255.0
                        }
                    } else {
                        background
                    };
                }
            }
            canvas.pixels[i] = (sum / f64::from(S * S)).round() as u8;
        }
    }
}

/// A square of side `side` centred on `c`, turned by `deg`, corners jittered by up
/// to `perspective × side`.
fn quad(c: (f64, f64), side: f64, deg: f64, perspective: f64, rng: &mut Rng) -> [(f64, f64); 4] {
    let (s, co) = deg.to_radians().sin_cos();
    let half = side / 2.0;
    let corners = [(-half, -half), (half, -half), (half, half), (-half, half)];
    corners.map(|(x, y)| {
        let angle = rng.range(0.0, std::f64::consts::TAU);
        let r = perspective * side * rng.unit().sqrt();
        (
            c.0 + x * co - y * s + r * angle.cos(),
            c.1 + x * s + y * co + r * angle.sin(),
        )
    })
}

fn fill_rect(p: &mut Picture, x: f64, y: f64, w: f64, h: f64, grey: u8) {
    let x0 = x.max(0.0) as u32;
    let y0 = y.max(0.0) as u32;
    let x1 = ((x + w).max(0.0) as u32).min(p.width);
    let y1 = ((y + h).max(0.0) as u32).min(p.height);
    for yy in y0..y1 {
        for xx in x0..x1 {
            p.pixels[(yy * p.width + xx) as usize] = grey;
        }
    }
}

fn fill_disk(p: &mut Picture, cx: f64, cy: f64, r: f64, grey: u8) {
    for yy in (cy - r).max(0.0) as u32..((cy + r) as u32).min(p.height) {
        for xx in (cx - r).max(0.0) as u32..((cx + r) as u32).min(p.width) {
            let (dx, dy) = (f64::from(xx) - cx, f64::from(yy) - cy);
            if dx * dx + dy * dy <= r * r {
                p.pixels[(yy * p.width + xx) as usize] = grey;
            }
        }
    }
}

fn draw_line(p: &mut Picture, a: (f64, f64), b: (f64, f64), width: f64, grey: u8) {
    let steps = ((b.0 - a.0).abs().max((b.1 - a.1).abs()) as usize).max(1);
    for i in 0..=steps {
        let t = i as f64 / steps as f64;
        fill_disk(
            p,
            a.0 + (b.0 - a.0) * t,
            a.1 + (b.1 - a.1) * t,
            width / 2.0,
            grey,
        );
    }
}

/// Rows of 5 × 7 random-bitmap glyphs between `y0` and `y1`, `cell` px per dot.
fn draw_text(p: &mut Picture, y0: f64, y1: f64, cell: f64, rng: &mut Rng) {
    let line_h = 10.0 * cell;
    let mut y = y0;
    while y + 7.0 * cell < y1 {
        let mut x = cell * 3.0;
        let end = f64::from(p.width) * rng.range(0.5, 0.95);
        while x + 5.0 * cell < end {
            if rng.unit() < 0.15 {
                x += 4.0 * cell; // a space between words
                continue;
            }
            for gy in 0..7 {
                for gx in 0..5 {
                    if rng.unit() < 0.4 {
                        fill_rect(
                            p,
                            x + f64::from(gx) * cell,
                            y + f64::from(gy) * cell,
                            cell,
                            cell,
                            30,
                        );
                    }
                }
            }
            x += 6.0 * cell;
        }
        y += line_h;
    }
}

/// Builds one degraded picture of `text`.
pub fn scene(d: &Degradation, text: &str, rng: &mut Rng) -> Picture {
    let qr = qr::render(text).unwrap();
    let n = f64::from(qr.size() + 2 * QUIET_ZONE);
    let side = n * d.module_px;
    let cluttered = d.clutter != Clutter::None;
    let (w, h) = if cluttered {
        ((side * 2.6) as u32, (side * 1.7) as u32)
    } else {
        ((side * 1.6) as u32, (side * 1.6) as u32)
    };
    let mut pic = Picture {
        width: w,
        height: h,
        pixels: vec![255; (w * h) as usize],
    };
    let (wf, hf) = (f64::from(w), f64::from(h));
    // Where our code goes: centred with some play, or on the right when there is
    // clutter to the left.
    let centre = if cluttered {
        (
            wf - side * 0.85 + rng.range(-0.1, 0.1) * side,
            hf / 2.0 + rng.range(-0.1, 0.1) * side,
        )
    } else {
        (
            wf / 2.0 + rng.range(-0.08, 0.08) * side,
            hf / 2.0 + rng.range(-0.08, 0.08) * side,
        )
    };

    match d.clutter {
        Clutter::None => {}
        Clutter::Shapes => {
            for _ in 0..25 {
                let grey = rng.range(0.0, 140.0) as u8;
                let (x, y) = (rng.range(0.0, wf), rng.range(0.0, hf));
                let size = rng.range(0.03, 0.25) * side;
                match rng.below(3) {
                    0 => fill_rect(&mut pic, x, y, size, size * rng.range(0.3, 1.5), grey),
                    1 => fill_disk(&mut pic, x, y, size / 2.0, grey),
                    _ => {
                        let to = (rng.range(0.0, wf), rng.range(0.0, hf));
                        draw_line(
                            &mut pic,
                            (x, y),
                            to,
                            d.module_px * rng.range(0.5, 2.0),
                            grey,
                        );
                    }
                }
            }
        }
        Clutter::Text => {
            let cell = (d.module_px * 0.6).max(1.0);
            draw_text(&mut pic, cell * 2.0, centre.1 - side * 0.55, cell, rng);
            draw_text(&mut pic, centre.1 + side * 0.55, hf, cell, rng);
        }
        Clutter::PartialQr | Clutter::SecondQr => {
            let mut other_text = String::from(OTHER_QR_PREFIX);
            other_text.push_str(&tincan_code(40, rng).to_lowercase());
            let other = qr::render(&other_text).unwrap();
            let other_side = f64::from(other.size() + 2 * QUIET_ZONE) * d.module_px;
            let cx = if d.clutter == Clutter::PartialQr {
                rng.range(-0.05, 0.1) * other_side // about half off the left edge
            } else {
                other_side * 0.55
            };
            let q = quad((cx, hf / 2.0), other_side, rng.range(-5.0, 5.0), 0.0, rng);
            project(&mut pic, &other, q);
        }
    }

    if d.resample {
        // The production PNG path, then a non-integer resize as a scaler would do.
        let (s, px) = qr.to_luma(8);
        let big = GrayImage::from_raw(s, s, px).unwrap();
        let target = side.round() as u32;
        let small = imageops::resize(&big, target, target, imageops::FilterType::Triangle);
        let x0 = (centre.0 - side / 2.0).max(0.0) as u32;
        let y0 = (centre.1 - side / 2.0).max(0.0) as u32;
        for y in 0..target.min(h - y0) {
            for x in 0..target.min(w - x0) {
                pic.pixels[((y0 + y) * w + x0 + x) as usize] = small.get_pixel(x, y).0[0];
            }
        }
    } else {
        let jitter = if d.rotate_deg % 90.0 == 0.0 {
            0.0
        } else {
            rng.range(-2.0, 2.0)
        };
        let q = quad(centre, side, d.rotate_deg + jitter, d.perspective, rng);
        project(&mut pic, &qr, q);
    }

    // Lighting: contrast and a shadow falling across in a random direction.
    let (dark, light) = (f64::from(d.contrast.0), f64::from(d.contrast.1));
    let dir = rng.range(0.0, std::f64::consts::TAU);
    let (dx, dy) = (dir.cos(), dir.sin());
    let span = wf * dx.abs() + hf * dy.abs();
    let start = (if dx < 0.0 { wf * -dx } else { 0.0 }) + (if dy < 0.0 { hf * -dy } else { 0.0 });
    for y in 0..h {
        for x in 0..w {
            let i = (y * w + x) as usize;
            let mut v = dark + (light - dark) * f64::from(pic.pixels[i]) / 255.0;
            if d.shadow > 0.0 {
                let t = (f64::from(x) * dx + f64::from(y) * dy + start) / span;
                v *= 1.0 - d.shadow * t;
            }
            pic.pixels[i] = v.round().clamp(0.0, 255.0) as u8;
        }
    }

    if d.blur_sigma > 0.0 {
        let img = GrayImage::from_raw(w, h, pic.pixels).unwrap();
        pic.pixels = imageops::blur(&img, d.blur_sigma).into_raw();
    }
    if d.noise_sd > 0.0 {
        for p in &mut pic.pixels {
            *p = (f64::from(*p) + d.noise_sd * rng.normal())
                .round()
                .clamp(0.0, 255.0) as u8;
        }
    }
    if let Some(q) = d.jpeg_quality {
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, q)
            .encode(&pic.pixels, w, h, image::ExtendedColorType::L8)
            .unwrap();
        pic.pixels = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg)
            .unwrap()
            .into_luma8()
            .into_raw();
    }
    pic
}

/// How one degradation fared.
pub struct RowResult {
    pub degradation: Degradation,
    pub samples: usize,
    pub decoded: usize,
    /// Returned the other (non-Tincan) QR code of the picture: allowed, ours
    /// was not readable.
    pub other: usize,
    /// Returned a text that is in no QR code of the picture: must never happen.
    pub wrong: usize,
    pub median_decode_ms: f64,
}

impl RowResult {
    pub fn rate(&self) -> f64 {
        self.decoded as f64 / self.samples as f64
    }
}

/// Decodes `samples` seeded pictures of fresh 290-character codes.
pub fn run(d: &Degradation, samples: usize, seed: u64) -> RowResult {
    // Each row draws from its own stream, so adding a row changes no other row.
    let row_seed = d.key().bytes().fold(seed ^ 0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let mut rng = Rng::new(row_seed);
    let mut decoded = 0;
    let mut other = 0;
    let mut wrong = 0;
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let text = tincan_code(290, &mut rng);
        let pic = scene(d, &text, &mut rng);
        let started = Instant::now();
        let result = qr::decode_gray(pic.width, pic.height, &pic.pixels);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        match result {
            Ok(t) if t == text => decoded += 1,
            Ok(t) if t.starts_with(OTHER_QR_PREFIX) => other += 1,
            Ok(_) => wrong += 1,
            Err(_) => {}
        }
    }
    times.sort_by(f64::total_cmp);
    RowResult {
        degradation: d.clone(),
        samples,
        decoded,
        other,
        wrong,
        median_decode_ms: times.get(samples / 2).copied().unwrap_or(0.0),
    }
}

/// The results as a markdown table.
pub fn markdown(results: &[RowResult]) -> String {
    let mut out = String::from(
        "| degradation | strength | decoded | rate | other QR read | median decode |\n|---|---|---|---|---|---|\n",
    );
    for r in results {
        out.push_str(&format!(
            "| {} | {} | {}/{} | {:.0}% | {} | {:.1} ms |\n",
            r.degradation.group,
            r.degradation.label,
            r.decoded,
            r.samples,
            r.rate() * 100.0,
            r.other,
            r.median_decode_ms
        ));
    }
    let wrong: usize = results.iter().map(|r| r.wrong).sum();
    out.push_str(&format!(
        "\nTexts returned that were in no QR code of the picture: {wrong}.\n"
    ));
    out
}

/// Decode time for camera-sized frames: a code filling 60 % of the height (a good
/// frame), and an empty frame (the worst case: every pass runs and fails).
pub fn frame_timing_markdown(samples: usize) -> String {
    let mut out = String::from(
        "| frame | px/module | read | median decode, code in view | median decode, no code |\n|---|---|---|---|---|\n",
    );
    let mut rng = Rng::new(7);
    for (w, h) in [(640u32, 480u32), (1280, 720), (1920, 1080)] {
        let text = tincan_code(290, &mut rng);
        let qr = qr::render(&text).unwrap();
        let n = f64::from(qr.size() + 2 * QUIET_ZONE);
        let side = f64::from(h) * 0.6;
        let mut with_code = Vec::new();
        let mut empty = Vec::new();
        let mut read_count = 0;
        for _ in 0..samples {
            let mut pic = Picture {
                width: w,
                height: h,
                pixels: vec![200; (w * h) as usize],
            };
            let c = (
                f64::from(w) / 2.0 + rng.range(-20.0, 20.0),
                f64::from(h) / 2.0,
            );
            let q = quad(c, side, rng.range(-5.0, 5.0), 0.02, &mut rng);
            project(&mut pic, &qr, q);
            let started = Instant::now();
            let read = qr::decode_gray(w, h, &pic.pixels);
            with_code.push(started.elapsed().as_secs_f64() * 1000.0);
            if read.ok().as_deref() == Some(text.as_str()) {
                read_count += 1;
            }
            let blank = vec![200u8; (w * h) as usize];
            let started = Instant::now();
            assert!(qr::decode_gray(w, h, &blank).is_err());
            empty.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        with_code.sort_by(f64::total_cmp);
        empty.sort_by(f64::total_cmp);
        out.push_str(&format!(
            "| {w}×{h} | {:.1} | {read_count}/{samples} | {:.1} ms | {:.1} ms |\n",
            side / n,
            with_code[samples / 2],
            empty[samples / 2]
        ));
    }
    out
}

/// A stand-in for a browser's offer: the shape and length (~750 characters) of a
/// serverless Chromium page's offer JSON with two candidates.
pub fn browser_json() -> String {
    let sdp = "v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\na=group:BUNDLE 0\\r\\na=extmap-allow-mixed\\r\\na=msid-semantic: WMS\\r\\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\\r\\nc=IN IP4 0.0.0.0\\r\\na=candidate:1467250027 1 udp 2122260223 192.168.1.23 51234 typ host generation 0 network-id 1\\r\\na=candidate:3624432123 1 udp 1686052607 203.0.113.7 51234 typ srflx raddr 192.168.1.23 rport 51234 generation 0\\r\\na=ice-ufrag:Xk3e\\r\\na=ice-pwd:7fPq0aL9sR2tY4uV6wX8zB1c\\r\\na=ice-options:trickle\\r\\na=fingerprint:sha-256 3C:4A:9F:0B:12:77:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD\\r\\na=setup:actpass\\r\\na=mid:0\\r\\na=sctp-port:5000\\r\\na=max-message-size:262144\\r\\n";
    format!("{{\"type\":\"offer\",\"sdp\":\"{sdp}\"}}")
}

/// Version and error-correction level for typical code lengths, as markdown.
pub fn versions_markdown() -> String {
    let mut rng = Rng::new(1);
    let mut out = String::from(
        "| text | characters | QR mode | version | modules | EC level |\n|---|---|---|---|---|---|\n",
    );
    let mut rows: Vec<(String, String, &str)> = [150, 200, 250, 300]
        .iter()
        .map(|&len| {
            (
                "Tincan code (base32)".to_string(),
                tincan_code(len, &mut rng),
                "alphanumeric",
            )
        })
        .collect();
    rows.push(("browser offer JSON".to_string(), browser_json(), "byte"));
    for (what, text, mode) in rows {
        let qr = qr::render(&text).unwrap();
        out.push_str(&format!(
            "| {what} | {chars} | {mode} | {version} | {m}×{m} | {ec} |\n",
            chars = text.len(),
            version = qr.version(),
            m = qr.size(),
            ec = qr.ec_level()
        ));
    }
    out
}
