//! Prints the QR version and error-correction level Tincan chooses for typical code
//! lengths, as a markdown table: `cargo run -p tincan-core --example qr_versions`.

#[path = "../tests/qr_support/degrade.rs"]
mod degrade;

fn main() {
    print!("{}", degrade::versions_markdown());
}
