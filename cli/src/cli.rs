//! Command-line parsing and the flow of each subcommand.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use tincan_core::code::{self, InviteMode};
use tincan_core::inbound::{self, Inbound};
use tincan_core::node::{read_browser_description, InviteRequest, Node, Protection};
use tincan_core::protect::strength;
use tincan_core::sdp::SdpKind;
use tincan_core::CodeError;

use crate::chat;
use crate::codes_io::{read_wanted_from_stdin, CodeIn, CodeOut};
use crate::known;
use crate::progress::with_spinner;
use crate::setup::Global;

/// Tincan: chat directly with someone, no server and no account.
///
/// Ana runs `tincan invite` and sends the code it prints (or its QR code) to Ben by
/// any messenger. Ben runs `tincan join CODE`, answers the question, and sends back
/// the reply code it prints. Ana pastes the reply (or runs `tincan accept REPLY`
/// later, even after a restart). Both are then connected and can chat.
///
/// After that first time, `tincan chat Ben` reconnects without any codes, wherever
/// the network allows it; messages written while the other is offline wait and go out
/// when you are both back. `tincan contacts` shows safety numbers to compare.
///
/// Plain browser pages work too: `tincan join` takes the JSON such a page shows
/// (`{"type":"offer","sdp":"…"}`); `tincan invite --browser` makes an offer for a page
/// and takes the page's answer itself, pasted into it while it runs.
///
/// In a chat, a pasted code or browser JSON is never sent as a message (a follow-up
/// code is loaded); `/send TEXT` sends TEXT as it is.
#[derive(Debug, Parser)]
#[command(name = "tincan", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Make an invite code, wait for the reply, then chat.
    Invite(InviteArgs),
    /// Answer an invite code: prints a reply code to send back, then chats.
    Join(JoinArgs),
    /// Load the reply to one of your invites (also after a restart), then chat.
    ///
    /// Tincan reply codes only: a browser page's answer goes into the `tincan invite
    /// --browser` run that made the offer, pasted there while it still runs (browser
    /// offers are not saved, so no other run can load their answer).
    Accept(AcceptArgs),
    /// List your invites still waiting for a reply (browser offers are not listed: each
    /// lives only in its `tincan invite --browser` run).
    Invites,
    /// Chat again with someone you already connected with: no codes needed.
    Chat {
        /// Their name, contact id (first 4+ characters) or conversation id; may be
        /// left out when you have only one contact.
        who: Option<String>,
    },
    /// List contacts with their safety numbers; verify one, or accept a changed key.
    Contacts {
        /// Mark this contact verified (you compared safety numbers in person).
        #[arg(long, value_name = "CONTACT")]
        verify: Option<String>,
        /// Trust this contact's new identity key (after the warning and an in-person check).
        #[arg(long, value_name = "CONTACT", conflicts_with = "verify")]
        accept_new_key: Option<String>,
        /// Show this contact's safety number as a QR code for the other phone to scan.
        #[arg(long, value_name = "CONTACT", conflicts_with_all = ["verify", "accept_new_key"])]
        qr: Option<String>,
    },
    /// Introduce two of your contacts to each other: both are asked, and once both
    /// accept they connect directly, with no codes. You pass on only sealed details.
    Introduce {
        /// One contact (name, contact id or conversation id).
        first: String,
        /// The other.
        second: String,
    },
    /// Stay online for all your contacts: print messages as they arrive, announce
    /// introductions, and pass on contacts' reconnections (after both of two of your
    /// contacts moved, they find each other again through you). Ctrl-D leaves.
    Online {
        /// Also hold sealed letters for contacts who are offline and hand them over
        /// when they are back (kept as your setting; you see only who, for whom, when
        /// and the size).
        #[arg(long)]
        hold_letters: bool,
        /// Stop holding letters for others.
        #[arg(long, conflicts_with = "hold_letters")]
        no_hold_letters: bool,
    },
    /// List your group rooms and their members.
    Rooms,
    /// Make a group room, change who is in it, or chat in it.
    Room {
        #[command(subcommand)]
        action: RoomCmd,
    },
    /// List introductions made to you and by you; answer one.
    Introductions {
        /// Accept this introduction (its id or first characters).
        #[arg(long, value_name = "ID")]
        meet: Option<String>,
        /// Decline this introduction; the other person is told.
        #[arg(long, value_name = "ID", conflicts_with = "meet")]
        no_meet: Option<String>,
    },
    /// Print a conversation's history (seq, id, status, author: text), oldest first.
    History {
        /// Name, contact id or conversation id (optional with one contact).
        who: Option<String>,
        /// Newest messages to show.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show a code as a QR code, or read a code from a QR image.
    Qr(QrArgs),
}

#[derive(Debug, clap::Args)]
struct InviteArgs {
    /// A question only the other person can answer (recommended).
    #[arg(long, requires = "answer")]
    question: Option<String>,
    /// The answer to --question. Case, accents' composition and extra spaces don't matter.
    #[arg(long, requires = "question")]
    answer: Option<String>,
    /// No question: anyone who sees the code can connect. For QR codes shown in person.
    #[arg(long, conflicts_with_all = ["question", "private"])]
    open: bool,
    /// Make an offer for a plain browser page (`{"type":"offer","sdp":"…"}`) instead
    /// of a Tincan code. No question, key confirmation, identity or read receipts.
    #[arg(long, visible_alias = "json", conflicts_with_all = ["question", "open", "private", "no_wait"])]
    browser: bool,
    /// Also hide your network addresses under the answer. Needs a strong passphrase:
    /// anyone who copies a private invite can guess the answer offline.
    #[arg(long, requires = "question")]
    private: bool,
    /// Hours until the invite expires.
    #[arg(long, default_value_t = 24, value_name = "HOURS")]
    expires: u64,
    /// Print the invite and exit; load the reply later with `tincan accept`.
    #[arg(long)]
    no_wait: bool,
    /// Read the reply from this file (waits until it appears) instead of standard input.
    #[arg(long, value_name = "FILE")]
    reply_file: Option<std::path::PathBuf>,
    /// Seconds without a connection before offering a follow-up code.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    followup_after: u64,
    #[command(flatten)]
    show: CodeOut,
}

#[derive(Debug, clap::Args)]
struct JoinArgs {
    #[command(flatten)]
    code: CodeIn,
    /// The answer to the invite's question (asked for if missing).
    #[arg(long)]
    answer: Option<String>,
    #[command(flatten)]
    show: CodeOut,
}

#[derive(Debug, clap::Args)]
struct AcceptArgs {
    #[command(flatten)]
    code: CodeIn,
    /// Seconds without a connection before offering a follow-up code.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    followup_after: u64,
}

#[derive(Debug, clap::Args)]
struct QrArgs {
    #[command(subcommand)]
    action: QrAction,
}

#[derive(Debug, Subcommand)]
enum QrAction {
    /// Show a code as a QR code (terminal, PNG or SVG).
    Show {
        #[command(flatten)]
        code: CodeIn,
        #[command(flatten)]
        show: CodeOut,
    },
    /// Print the code held in a QR image (PNG or JPEG).
    Read {
        /// The image file.
        image: std::path::PathBuf,
    },
}

/// What `tincan room` does.
#[derive(Debug, Subcommand)]
enum RoomCmd {
    /// Make a room with some of your contacts; you are its admin.
    New {
        /// The room's name. (Not `name`: that id is the global `--name`, your own.)
        #[arg(value_name = "NAME")]
        title: String,
        /// Contacts to add (names or ids).
        #[arg(required = true)]
        with: Vec<String>,
    },
    /// Add one of your contacts (admins only).
    Add {
        /// The room (name or id).
        room: String,
        /// The contact (name or id).
        who: String,
    },
    /// Remove a member (admins only), or `me` to leave.
    Remove {
        /// The room (name or id).
        room: String,
        /// The contact (name or id), or `me`.
        who: String,
    },
    /// Chat in a room: posts are printed as they arrive, each line you type is posted.
    Chat {
        /// The room (name or id).
        room: String,
    },
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Invite(args) => invite(&cli.global, args),
        Command::Join(args) => join(&cli.global, args),
        Command::Accept(args) => {
            // Read and check the reply before anything else is set up.
            let reply = args.code.read("Paste the reply code, then press Enter:")?;
            let code = match reply {
                Inbound::Reply { code, .. } => code,
                Inbound::BrowserAnswer { .. } => bail!(BROWSER_ANSWER_GOES_TO_ITS_RUN),
                other => return Err(wrong_kind(&other, "a reply code")),
            };
            let node = cli.global.open_node()?;
            accept_and_chat(&node, &code, args.followup_after)
        }
        Command::Invites => {
            let node = cli.global.open_node()?;
            let open = node.open_invites()?;
            if open.is_empty() {
                println!("No invites are waiting for a reply.");
            }
            for id in open {
                println!("{id}");
            }
            eprintln!("{BROWSER_OFFERS_NOT_LISTED}");
            node.shutdown();
            Ok(())
        }
        Command::Chat { who } => known::chat(&cli.global, who.as_deref()),
        Command::History { who, limit } => known::history(&cli.global, who.as_deref(), limit),
        Command::Rooms => crate::rooms::list(&cli.global),
        Command::Room { action } => crate::rooms::run(
            &cli.global,
            match action {
                RoomCmd::New { title, with } => crate::rooms::RoomAction::New { name: title, with },
                RoomCmd::Add { room, who } => crate::rooms::RoomAction::Add { room, who },
                RoomCmd::Remove { room, who } => crate::rooms::RoomAction::Remove { room, who },
                RoomCmd::Chat { room } => crate::rooms::RoomAction::Chat { room },
            },
        ),
        Command::Online {
            hold_letters,
            no_hold_letters,
        } => {
            let hold = match (hold_letters, no_hold_letters) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            };
            crate::online::run(&cli.global, hold)
        }
        Command::Introduce { first, second } => {
            crate::introductions::introduce_command(&cli.global, &first, &second)
        }
        Command::Introductions { meet, no_meet } => crate::introductions::introductions_command(
            &cli.global,
            meet.as_deref(),
            no_meet.as_deref(),
        ),
        Command::Contacts {
            verify,
            accept_new_key,
            qr,
        } => {
            let action = match (verify, accept_new_key, qr) {
                (Some(id), _, _) => known::ContactAction::Verify(id),
                (_, Some(id), _) => known::ContactAction::AcceptNewKey(id),
                (_, _, Some(id)) => known::ContactAction::Qr(id),
                _ => known::ContactAction::List,
            };
            known::contacts(&cli.global, action)
        }
        Command::Qr(QrArgs { action }) => match action {
            QrAction::Show { code, show } => {
                let found = code.read("Paste the code, then press Enter:")?;
                let show = CodeOut {
                    qr: show.qr || (show.qr_png.is_none() && show.qr_svg.is_none()),
                    ..show
                };
                show.show("Code:", found.text())
            }
            QrAction::Read { image } => {
                println!("{}", tincan_core::qr::decode_image_file(&image)?);
                Ok(())
            }
        },
    }
}

/// Said before every browser session: what this mode does not protect, and why.
const BROWSER_NOTICE: &str = "Browser mode: this session talks to a plain WebRTC page, \
which knows nothing of Tincan. So there is no question and no key confirmation (whoever \
gets the JSON first can answer it, so send it only over a channel you trust), no identity \
and no read receipts (\"delivered\" only means the browser's WebRTC stack received the \
bytes). Messages are plain text on the page's data channel.";

/// Why `tincan accept` cannot load a browser page's answer, and where it goes instead.
const BROWSER_ANSWER_GOES_TO_ITS_RUN: &str = "this is a browser page's answer. It can only \
be loaded by the `tincan invite --browser` that made the offer: paste it into that window \
while it is still running. (Browser offers live only in the memory of the run that made \
them and are not saved, so `tincan accept` — a new run — has no offer to load it into. If \
that run has ended, start a new one and give the page its new offer.)";

/// Said by `tincan invites`, where a person looks for what is waiting.
const BROWSER_OFFERS_NOT_LISTED: &str = "(Browser offers are not listed: each lives only in \
the `tincan invite --browser` run that made it, which takes the page's answer itself.)";

/// What a step needed and what the person gave instead, with where that belongs.
fn wrong_kind(found: &Inbound, expected: &'static str) -> anyhow::Error {
    if let Inbound::SafetyNumber { .. } = found {
        return CodeError::SafetyNumberCode.into();
    }
    let wrong = CodeError::WrongKind {
        expected,
        found: found.described(),
    };
    anyhow::anyhow!("{wrong} {}", where_it_goes(found))
}

/// Where a code or browser JSON is used, for messages about misplaced ones.
pub fn where_it_goes(found: &Inbound) -> &'static str {
    match found {
        Inbound::Invite { .. } => "An invite code is answered with `tincan join`.",
        Inbound::Reply { .. } => {
            "A reply code goes back to the person who made the invite: their `tincan \
             invite` takes it, or `tincan accept`."
        }
        Inbound::FollowUp { .. } => {
            "A follow-up code is pasted into the chat it belongs to, while it is trying \
             to connect."
        }
        Inbound::SafetyNumber { .. } => {
            "A safety-number code is compared with the one `tincan contacts` shows."
        }
        Inbound::BrowserOffer { .. } => "A browser page's offer is answered with `tincan join`.",
        Inbound::BrowserAnswer { .. } => {
            "A browser page's answer goes into the `tincan invite --browser` run that made \
             the offer, while it runs."
        }
    }
}

/// Prints what the person should know about a pasted browser description (a bad one
/// is reported by the step that uses it).
fn warn_about(global: &Global, text: &str, kind: SdpKind) {
    if let Ok(read) = read_browser_description(text, kind, global.mdns) {
        if let Some(warning) = read.warning {
            eprintln!("Note: {warning}");
        }
    }
}

fn invite_browser(global: &Global, args: InviteArgs) -> Result<()> {
    eprintln!("{BROWSER_NOTICE}");
    let node = global.open_node()?;
    let offer = with_spinner("Preparing the offer (finding network addresses)…", || {
        node.create_browser_offer()
    })?;
    args.show.show(
        "Paste this offer into the browser page, then paste the page's answer here (the offer \
         lasts only while this program runs):",
        &offer.offer_json,
    )?;
    let wanted = |found: &Inbound| match found {
        Inbound::BrowserAnswer { .. } => None,
        other => Some(
            wrong_kind(
                other,
                "the browser page's answer (a JSON text starting with {)",
            )
            .to_string(),
        ),
    };
    let answer = match &args.reply_file {
        Some(path) => wait_for_file(
            path,
            code::unix_now().saturating_add(args.expires.max(1) * 3600),
        )?,
        None => read_wanted_from_stdin("Paste the page's answer, then press Enter:", wanted)?,
    };
    let result = (|| {
        if let Some(why) = wanted(&answer) {
            bail!(why);
        }
        let answer = answer.text();
        warn_about(global, answer, SdpKind::Answer);
        let peer = with_spinner("Loading the answer…", || {
            node.accept_browser_answer(&offer.peer, answer)
        })?;
        chat::run(&node, &peer, None)
    })();
    node.shutdown();
    result
}

fn invite(global: &Global, args: InviteArgs) -> Result<()> {
    if args.browser {
        return invite_browser(global, args);
    }
    let protection = match (args.open, args.private, args.question, args.answer) {
        (true, _, _, _) => Protection::Open,
        (false, true, Some(question), Some(answer)) => Protection::Private { question, answer },
        (false, false, Some(question), Some(answer)) => Protection::Question { question, answer },
        _ => bail!(
            "say how to protect the invite: --question Q --answer A (recommended), or --open for a QR code shown in person"
        ),
    };
    let mode = match &protection {
        Protection::Open => InviteMode::Open,
        Protection::Question { .. } => InviteMode::Question,
        Protection::Private { .. } => InviteMode::Private,
    };
    if let Protection::Question { question, answer } | Protection::Private { question, answer } =
        &protection
    {
        let estimate = strength::estimate(answer, question);
        eprintln!("{}", strength::what_it_protects(mode, &estimate));
    } else {
        eprintln!(
            "{}",
            strength::what_it_protects(mode, &strength::estimate("", ""))
        );
    }
    let node = global.open_node()?;
    let request = InviteRequest {
        protection,
        lifetime_secs: Some(args.expires.max(1).saturating_mul(3600)),
    };
    let info = with_spinner(
        "Preparing the invite (finding network addresses, hardening the answer)…",
        || node.create_invite(request),
    )?;
    args.show.show(
        &format!(
            "Send this invite code to the other person (it expires in {} h):",
            args.expires
        ),
        &info.code,
    )?;
    if args.no_wait {
        eprintln!("When the reply arrives, run: tincan accept REPLY");
        node.shutdown();
        return Ok(());
    }
    let wanted = |found: &Inbound| match found {
        Inbound::Reply { invite_id, .. } if *invite_id == info.invite_id => None,
        Inbound::Reply { .. } => Some(format!(
            "{} (If it answers another of your invites, load it with `tincan accept`.)",
            CodeError::ForeignReply
        )),
        other => Some(wrong_kind(other, "the reply code").to_string()),
    };
    let reply = match &args.reply_file {
        Some(path) => wait_for_file(path, info.expires_at)?,
        None => read_wanted_from_stdin(
            "Paste the reply code when it arrives, then press Enter (or stop now and run `tincan accept` later):",
            wanted,
        )?,
    };
    if let Some(why) = wanted(&reply) {
        node.shutdown();
        bail!(why);
    }
    accept_and_chat(&node, reply.text(), args.followup_after)
}

/// Waits (bounded by the invite's expiry) for a reply file to appear and hold a whole
/// code or browser JSON.
fn wait_for_file(path: &std::path::Path, expires_at: u64) -> Result<Inbound> {
    eprintln!("Waiting for the reply in {} …", path.display());
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            match inbound::classify_text(&text) {
                Ok(found) => return Ok(found),
                // Still being written, perhaps.
                Err(e) if crate::codes_io::may_continue(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if code::unix_now() > expires_at {
            bail!("the invite expired before a reply arrived");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Loads a Tincan reply code (already classified) and chats.
fn accept_and_chat(node: &Node, reply: &str, followup_after: u64) -> Result<()> {
    let peer = with_spinner("Loading the reply…", || node.accept_reply(reply));
    let peer = match peer {
        Ok(peer) => peer,
        Err(e) => {
            node.shutdown();
            return Err(e.into());
        }
    };
    let result = chat::run(node, &peer, Some(Duration::from_secs(followup_after)));
    node.shutdown();
    result
}

fn join(global: &Global, args: JoinArgs) -> Result<()> {
    // Read and check the code before anything else is set up.
    let found = args
        .code
        .read("Paste the invite code (or a browser page's offer), then press Enter:")?;
    let code = match found {
        Inbound::Invite { code } => code,
        Inbound::BrowserOffer { json } => {
            let node = global.open_node()?;
            return join_browser(&node, global, &json, &args.show);
        }
        other => {
            return Err(wrong_kind(
                &other,
                "an invite code or a browser page's offer",
            ))
        }
    };
    let node = global.open_node()?;
    let preview = node.open_invite(&code)?;
    let answer = match (&preview.question, args.answer) {
        (None, _) => None,
        (Some(_), Some(answer)) => Some(answer),
        (Some(question), None) => {
            Some(ask(&format!("The invite asks: {question}\nYour answer: "))?)
        }
    };
    let joined = with_spinner(
        "Answering (hardening the answer, finding network addresses)…",
        || node.join(&code, answer.as_deref()),
    )?;
    args.show.show(
        "Send this reply code back to the person who invited you:",
        &joined.reply_code,
    )?;
    eprintln!(
        "Waiting for them to load it ({} left before the invite expires). You can close \
         this and run `tincan chat` later: it keeps waiting.",
        crate::known::time_left(preview.expires_at)
    );
    let result = chat::run(&node, &joined.peer, None);
    node.shutdown();
    result
}

fn join_browser(node: &Node, global: &Global, offer: &str, show: &CodeOut) -> Result<()> {
    eprintln!("{BROWSER_NOTICE}");
    warn_about(global, offer, SdpKind::Offer);
    let result = (|| {
        let joined = with_spinner("Answering (finding network addresses)…", || {
            node.join(offer, None)
        })?;
        show.show(
            "Paste this answer into the browser page:",
            &joined.reply_code,
        )?;
        eprintln!("Waiting for the page to load it…");
        chat::run(node, &joined.peer, None)
    })();
    node.shutdown();
    result
}

/// Asks a question on the terminal (or reads one line of piped input).
fn ask(prompt: &str) -> Result<String> {
    if std::io::stdin().is_terminal() {
        let mut editor = rustyline::DefaultEditor::new()?;
        Ok(editor.readline(prompt)?)
    } else {
        eprint!("{prompt}");
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read the answer")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}
