//! QR forms of a code: rendering (PNG, SVG, terminal) and reading from camera frames
//! or image files.
