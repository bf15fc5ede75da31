//! Drawing a code as a QR symbol: PNG for files and share sheets, SVG for crisp
//! scaling, Unicode half blocks for terminals.
//!
//! # Error-correction level
//!
//! The symbol is shown on a screen and read by a camera at arm's length. What goes
//! wrong there is blur, glare, moiré and a few misread modules — not torn paper or a
//! logo pasted in the middle, which is what level H (30 %) exists for. Error correction
//! helps against the first kind, so more is better, but it costs modules, and small
//! modules are what really makes a camera fail. Up to version 10 (57 × 57 modules) any
//! phone reads a symbol instantly from a phone screen; beyond that, modules shrink and
//! older phones hesitate. So [`render`] takes the strongest of **Q, M, L** that still
//! fits in version ≤ [`PREFERRED_MAX_VERSION`]. H is never used: it nearly halves the
//! capacity (167 alphanumeric characters at version 10) for protection a screen does
//! not need. If even L does not fit in version 10 (a raw browser description of ~750
//! characters), L at the smallest version is used: at that density module size is the
//! main risk, so every module goes to data.
//!
//! A ~290-character `TINCAN-…` code uses QR alphanumeric mode (5.5 bits a character
//! instead of 8: every base32 character and `-` are in that set), which is what lets
//! it fit version 10 at level M.

use image::{codecs::png::PngEncoder, ExtendedColorType, ImageEncoder};
use qrcode::{types::QrError, Color, QrCode, Version};

use crate::CodeError;

/// The largest version [`render`] will accept before giving up error correction
/// (57 × 57 modules). See the module documentation for why.
pub const PREFERRED_MAX_VERSION: i16 = 10;

/// Light modules around the symbol on every side, as the QR standard requires: a
/// scanner finds the finder patterns by their contrast with this margin.
pub const QUIET_ZONE: u32 = 4;

/// The largest module size [`QrImage::to_png`] draws, in pixels. Larger requests are
/// clamped so a careless caller cannot ask for a gigapixel image (version 40 at 32 px
/// is already 5,920 px wide).
pub const MAX_MODULE_PX: u32 = 32;

/// QR error-correction level: how much of the symbol may be unreadable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EcLevel {
    /// Recovers about 7 % of the symbol.
    L,
    /// Recovers about 15 % of the symbol.
    M,
    /// Recovers about 25 % of the symbol.
    Q,
    /// Recovers about 30 % of the symbol (never chosen by [`render`]).
    H,
}

impl EcLevel {
    fn from_qrcode(level: qrcode::EcLevel) -> Self {
        match level {
            qrcode::EcLevel::L => EcLevel::L,
            qrcode::EcLevel::M => EcLevel::M,
            qrcode::EcLevel::Q => EcLevel::Q,
            qrcode::EcLevel::H => EcLevel::H,
        }
    }

    /// The letter used in the QR standard: `"L"`, `"M"`, `"Q"` or `"H"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EcLevel::L => "L",
            EcLevel::M => "M",
            EcLevel::Q => "Q",
            EcLevel::H => "H",
        }
    }
}

impl std::fmt::Display for EcLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A QR symbol holding one text, ready to be drawn.
#[derive(Clone)]
pub struct QrImage {
    code: QrCode,
}

impl std::fmt::Debug for QrImage {
    // Deliberately without the modules: they are the code, and codes stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrImage")
            .field("version", &self.version())
            .field("ec_level", &self.ec_level())
            .finish()
    }
}

/// Encodes `text` as a QR symbol, choosing the error-correction level as the module
/// documentation explains. Uppercase base32 codes use alphanumeric mode, other text
/// byte mode (the encoder picks the smallest mix of segments).
///
/// Fails for empty text and for text beyond QR's capacity (2,953 bytes at level L).
pub fn render(text: &str) -> Result<QrImage, CodeError> {
    if text.is_empty() {
        return Err(CodeError::Qr {
            reason: "there is no text to put into a QR code".into(),
        });
    }
    for level in [qrcode::EcLevel::Q, qrcode::EcLevel::M] {
        if let Ok(code) = QrCode::with_error_correction_level(text, level) {
            if matches!(code.version(), Version::Normal(v) if v <= PREFERRED_MAX_VERSION) {
                return Ok(QrImage { code });
            }
        }
    }
    match QrCode::with_error_correction_level(text, qrcode::EcLevel::L) {
        Ok(code) => Ok(QrImage { code }),
        Err(QrError::DataTooLong) => Err(CodeError::Qr {
            reason: format!(
                "the text is too long for a QR code ({} bytes; a QR code holds at most 2,953)",
                text.len()
            ),
        }),
        Err(e) => Err(CodeError::Qr {
            reason: format!("the QR encoder refused the text ({e})"),
        }),
    }
}

impl QrImage {
    /// The QR version, 1–40; the symbol is `17 + 4 × version` modules wide.
    pub fn version(&self) -> u8 {
        match self.code.version() {
            // Normal versions are 1..=40; render() never makes micro codes.
            Version::Normal(v) | Version::Micro(v) => u8::try_from(v).unwrap_or(0),
        }
    }

    /// The error-correction level chosen for this symbol.
    pub fn ec_level(&self) -> EcLevel {
        EcLevel::from_qrcode(self.code.error_correction_level())
    }

    /// Modules along one side of the symbol, without the quiet zone.
    pub fn size(&self) -> u32 {
        // At most 177 (version 40).
        u32::try_from(self.code.width()).unwrap_or(0)
    }

    /// Whether the module at column `x`, row `y` is dark. Coordinates outside the
    /// symbol (the quiet zone) are light. For shells that draw the modules themselves.
    pub fn is_dark(&self, x: u32, y: u32) -> bool {
        let w = self.code.width();
        let (x, y) = (x as usize, y as usize);
        x < w && y < w && self.code[(x, y)] == Color::Dark
    }

    /// Modules along one side including the quiet zone on both sides.
    fn side_with_quiet_zone(&self) -> u32 {
        self.size() + 2 * QUIET_ZONE
    }

    /// Whether the module at (x, y) of the symbol *with* its quiet zone is dark.
    fn is_dark_padded(&self, x: u32, y: u32) -> bool {
        x >= QUIET_ZONE && y >= QUIET_ZONE && self.is_dark(x - QUIET_ZONE, y - QUIET_ZONE)
    }

    /// Grayscale pixels, black on white, with the quiet zone: `(side, pixels)`.
    pub fn to_luma(&self, module_px: u32) -> (u32, Vec<u8>) {
        let module_px = module_px.clamp(1, MAX_MODULE_PX);
        let modules = self.side_with_quiet_zone();
        let side = modules * module_px;
        let mut pixels = Vec::with_capacity((side as usize) * (side as usize));
        for y in 0..side {
            for x in 0..side {
                let dark = self.is_dark_padded(x / module_px, y / module_px);
                pixels.push(if dark { 0 } else { 255 });
            }
        }
        (side, pixels)
    }

    /// A grayscale PNG, black on white, `module_px` pixels per module (clamped to
    /// 1..=[`MAX_MODULE_PX`]), with the quiet zone. 8 px per module suits a phone
    /// screen or a printed page.
    pub fn to_png(&self, module_px: u32) -> Vec<u8> {
        let (side, pixels) = self.to_luma(module_px);
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(&pixels, side, side, ExtendedColorType::L8)
            .expect("encoding a well-sized in-memory grayscale image into a Vec cannot fail");
        png
    }

    /// A standalone SVG document: a white square and one black path of the dark
    /// modules, one user unit per module (quiet zone included), drawn with crisp
    /// edges. It scales to any size without blurring.
    pub fn to_svg(&self) -> String {
        let n = self.side_with_quiet_zone();
        let mut path = String::new();
        for y in 0..n {
            let mut x = 0;
            while x < n {
                if !self.is_dark_padded(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < n && self.is_dark_padded(x, y) {
                    x += 1;
                }
                let run = x - start;
                path.push_str(&format!("M{start} {y}h{run}v1h-{run}z"));
            }
        }
        let px = n * 8;
        format!(
            concat!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" ",
                "width=\"{px}\" height=\"{px}\" viewBox=\"0 0 {n} {n}\" ",
                "shape-rendering=\"crispEdges\">\n",
                "<rect width=\"{n}\" height=\"{n}\" fill=\"#ffffff\"/>\n",
                "<path fill=\"#000000\" d=\"{path}\"/>\n",
                "</svg>\n"
            ),
            px = px,
            n = n,
            path = path
        )
    }

    /// The symbol for a terminal: Unicode half blocks, dark modules on a light
    /// background, quiet zone included, one line per two module rows.
    ///
    /// A terminal cell is about twice as tall as it is wide, so a half block (`▀`,
    /// `▄`, `█`, space) draws two square modules per cell and the symbol fits a
    /// normal window (version 10: 65 columns, 33 lines).
    ///
    /// Colours are set explicitly (ANSI black foreground on white background,
    /// `ESC[30;47m`) instead of trusting the terminal's theme: in a dark theme, plain
    /// blocks would come out as light modules on dark — an inverted symbol many phone
    /// cameras refuse — and without the light quiet zone the finder patterns melt
    /// into the dark window. Every line ends with a reset (`ESC[0m`) so the
    /// background never bleeds into the rest of the line or the prompt.
    pub fn to_terminal(&self) -> String {
        self.half_blocks("\x1b[30;47m", "\x1b[0m")
    }

    /// Like [`QrImage::to_terminal`] but without colour escapes: dark modules are
    /// drawn as blocks, light ones as spaces. Correct only on a light background
    /// (a light-themed terminal, a text file, a document); for `NO_COLOR` users.
    pub fn to_text(&self) -> String {
        self.half_blocks("", "")
    }

    fn half_blocks(&self, line_start: &str, line_end: &str) -> String {
        let n = self.side_with_quiet_zone();
        let mut out = String::new();
        let mut y = 0;
        while y < n {
            out.push_str(line_start);
            for x in 0..n {
                let top = self.is_dark_padded(x, y);
                // An odd number of rows leaves the last line's lower half light.
                let bottom = y + 1 < n && self.is_dark_padded(x, y + 1);
                out.push(match (top, bottom) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            out.push_str(line_end);
            out.push('\n');
            y += 2;
        }
        out
    }
}
