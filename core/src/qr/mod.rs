//! QR forms of a code: rendering (PNG, SVG, terminal) and reading from camera frames
//! or image files.
//!
//! A code travels by QR when both people are in the same room: one phone shows it, the
//! other's camera reads it. Rendering and reading live here, in the core, so the phone
//! shells only pass pixels in and out and every behaviour is tested in Rust. The text a
//! QR carries is exactly the text code (`TINCAN-…`); parsing it stays in
//! [`crate::code`].

mod decode;
mod render;

pub use decode::{
    decode_gray, decode_gray_strided, decode_image_bytes, decode_image_file, MAX_FILE_BYTES,
    MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE,
};
pub use render::{render, EcLevel, QrImage, MAX_MODULE_PX, PREFERRED_MAX_VERSION, QUIET_ZONE};

#[cfg(test)]
mod tests;
