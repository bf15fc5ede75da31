//! Attachments: photos and files sent in a conversation.

pub mod photo;
