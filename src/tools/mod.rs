//! One module per tool whose calls rtool may change.

pub mod compile;
pub mod link;
