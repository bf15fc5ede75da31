//! Story tests of the app model.
