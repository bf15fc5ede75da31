//! QR codes for the phone shells: render a code to show, read one from a camera frame.
//!
//! The shells only move pixels: the screen gets a PNG (or the module grid to draw
//! natively), the camera hands over its luminance plane. Everything else is
//! `tincan_core::qr`.

use tincan_core::qr;

use crate::TincanError;

/// A code rendered as a QR symbol.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrSymbol {
    /// QR version, 1–40.
    pub version: u8,
    /// Error-correction level: "L", "M" or "Q".
    pub ec_level: String,
    /// Modules per side, without the quiet zone.
    pub size: u32,
    /// `size × size` modules, row by row, 1 for dark and 0 for light: for drawing the
    /// symbol natively at any scale.
    pub modules: Vec<u8>,
    /// A grayscale PNG with the quiet zone, `module_px` pixels per module.
    pub png: Vec<u8>,
}

/// Renders `text` (a code) as a QR symbol, `module_px` pixels per module in the PNG
/// (clamped to 1–32; 8 suits a phone screen).
#[uniffi::export]
pub fn render_qr(text: &str, module_px: u32) -> Result<QrSymbol, TincanError> {
    let image = qr::render(text)?;
    let size = image.size();
    let mut modules = Vec::with_capacity((size * size) as usize);
    for y in 0..size {
        for x in 0..size {
            modules.push(u8::from(image.is_dark(x, y)));
        }
    }
    Ok(QrSymbol {
        version: image.version(),
        ec_level: image.ec_level().as_str().to_owned(),
        size,
        modules,
        png: image.to_png(module_px),
    })
}

/// Reads the QR code in a camera frame's luminance plane (Android CameraX plane 0,
/// iOS plane 0 of a 420 pixel buffer), rows `row_stride` bytes apart.
#[uniffi::export]
pub fn decode_qr_frame(
    width: u32,
    height: u32,
    row_stride: u32,
    luma: Vec<u8>,
) -> Result<String, TincanError> {
    Ok(qr::decode_gray_strided(width, height, row_stride, &luma)?)
}

/// Reads the QR code in a PNG or JPEG image (a screenshot, a shared picture).
#[uniffi::export]
pub fn decode_qr_image(bytes: Vec<u8>) -> Result<String, TincanError> {
    Ok(qr::decode_image_bytes(&bytes)?)
}
