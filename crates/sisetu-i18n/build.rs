//! Rebuilds the crate when a catalogue changes (the texts are compiled in).
fn main() {
    println!("cargo:rerun-if-changed=locales");
}
