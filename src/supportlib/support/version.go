package support

// Version is rtool's version (Cargo.toml's, checked by a unit test of
// src/supportlib.rs): the version of the instrumentation scope of rtool's spans.
const Version = "0.1.0"
