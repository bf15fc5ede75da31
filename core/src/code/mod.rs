//! The codes people pass: invite, reply and follow-up, their binary layouts and text form.
