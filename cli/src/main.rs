//! `tincan`, the desktop shell.

fn main() {
    println!("tincan");
}
