//! Getting codes in (argument, file, standard input, QR image) and out (text, QR in
//! the terminal, PNG, SVG, a file).

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tincan_core::inbound::{self, Inbound};
use tincan_core::{qr, CodeError};

/// Where a code comes from. With none of these, it is read from standard input.
#[derive(Debug, Clone, clap::Args)]
pub struct CodeIn {
    /// The code itself, or `-` to read it from standard input.
    #[arg(value_name = "CODE")]
    pub code: Option<String>,
    /// Read the code from a text file.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["code", "qr_image"])]
    pub file: Option<PathBuf>,
    /// Read the code from a QR code in an image (PNG or JPEG).
    #[arg(long, value_name = "IMAGE", conflicts_with_all = ["code", "file"])]
    pub qr_image: Option<PathBuf>,
}

/// Largest text read as a code, far above any real one.
const MAX_CODE_TEXT: u64 = inbound::MAX_TEXT_BYTES as u64;

/// After a line of a paste ends, how long more lines of the same paste may take to
/// arrive before Tincan says what is still missing. A messenger-wrapped paste arrives
/// line after line within milliseconds; a person typing takes far longer.
pub const PASTE_GRACE: Duration = Duration::from_millis(400);

impl CodeIn {
    /// Reads the code and says what it is, prompting with `prompt` when reading a
    /// terminal. Everything goes through [`inbound::classify_text`], so a refused text
    /// is refused here, before any slow step.
    pub fn read(&self, prompt: &str) -> Result<Inbound> {
        if let Some(path) = &self.file {
            let mut text = String::new();
            std::fs::File::open(path)
                .with_context(|| format!("cannot open {}", path.display()))?
                .take(MAX_CODE_TEXT)
                .read_to_string(&mut text)
                .with_context(|| format!("cannot read {}", path.display()))?;
            return Ok(inbound::classify_text(&text)?);
        }
        if let Some(path) = &self.qr_image {
            return Ok(inbound::classify_text(&qr::decode_image_file(path)?)?);
        }
        match self.code.as_deref() {
            Some("-") | None => read_code_from_stdin(prompt),
            Some(code) => Ok(inbound::classify_text(code)?),
        }
    }
}

/// Whether more lines may still complete a text refused with `e`: a Tincan code or a
/// browser's JSON wrapped over several lines is refused as damaged or cut off until its
/// last line arrives; words before it are "not a code" until it starts.
pub fn may_continue(e: &CodeError) -> bool {
    matches!(
        e,
        CodeError::NotACode
            | CodeError::Damaged { .. }
            | CodeError::BrowserJsonIncomplete
            | CodeError::SafetyNumberDamaged { .. }
    )
}

/// One line of standard input at a time, each read only when asked for, so nothing is
/// read ahead of what the chat that follows should see.
struct StdinLines {
    pending: Option<mpsc::Receiver<std::io::Result<Option<String>>>>,
}

/// What [`StdinLines::next`] saw.
enum Next {
    Line(String),
    /// Nothing yet; the read goes on.
    Waiting,
    End,
}

impl StdinLines {
    fn new() -> Self {
        Self { pending: None }
    }

    /// The next line, waiting at most `wait` (for ever with `None`).
    fn next(&mut self, wait: Option<Duration>) -> Result<Next> {
        let rx = self.pending.get_or_insert_with(|| {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let mut line = String::new();
                let read = std::io::stdin()
                    .lock()
                    .take(MAX_CODE_TEXT + 1)
                    .read_line(&mut line)
                    .map(|n| (n > 0).then_some(line));
                let _ = tx.send(read);
            });
            rx
        });
        let got = match wait {
            Some(wait) => match rx.recv_timeout(wait) {
                Ok(got) => got,
                Err(mpsc::RecvTimeoutError::Timeout) => return Ok(Next::Waiting),
                Err(mpsc::RecvTimeoutError::Disconnected) => Ok(None),
            },
            None => rx.recv().unwrap_or(Ok(None)),
        };
        self.pending = None;
        match got.context("cannot read standard input")? {
            Some(line) => Ok(Next::Line(line.trim_end_matches(['\n', '\r']).to_owned())),
            None => Ok(Next::End),
        }
    }
}

/// What one paste on standard input turned out to be.
enum Pasted {
    Found(Inbound),
    Refused(CodeError),
    /// Input ended; the error says what the text so far lacks, if there was any.
    Ended(Option<CodeError>),
}

/// Reads lines until they hold a whole code or browser JSON (a messenger may have
/// wrapped it), or a text that no further line can fix. When a line leaves it
/// incomplete and nothing follows within [`PASTE_GRACE`], says what is missing, once,
/// and goes on waiting.
fn read_paste(lines: &mut StdinLines) -> Result<Pasted> {
    let mut collected = String::new();
    let mut explained = true;
    loop {
        let wait = (!explained).then_some(PASTE_GRACE);
        match lines.next(wait)? {
            Next::Line(line) => {
                if collected.is_empty() && line.trim().is_empty() {
                    continue;
                }
                collected.push_str(&line);
                collected.push('\n');
                if collected.len() as u64 > MAX_CODE_TEXT {
                    bail!("that is far longer than any code");
                }
                match inbound::classify_text(&collected) {
                    Ok(found) => return Ok(Pasted::Found(found)),
                    Err(e) if may_continue(&e) => explained = false,
                    Err(e) => return Ok(Pasted::Refused(e)),
                }
            }
            Next::Waiting => {
                if let Err(e) = inbound::classify_text(&collected) {
                    eprintln!("{}", still_waiting(&e));
                }
                explained = true;
            }
            Next::End => {
                if collected.trim().is_empty() {
                    return Ok(Pasted::Ended(None));
                }
                return Ok(match inbound::classify_text(&collected) {
                    Ok(found) => Pasted::Found(found),
                    Err(e) => Pasted::Ended(Some(e)),
                });
            }
        }
    }
}

/// Said when a paste stops short: what is wrong so far, and that Tincan still waits.
fn still_waiting(e: &CodeError) -> String {
    format!(
        "{e} Still waiting: paste the rest (or all of it again) and press Enter, or end the \
         input (Ctrl-D) to stop."
    )
}

const NO_CODE: &str =
    "no code given (pass it as an argument, with --file or --qr-image, or paste it)";

/// Reads one code or browser JSON from standard input (see [`read_paste`]).
pub fn read_code_from_stdin(prompt: &str) -> Result<Inbound> {
    if std::io::stdin().is_terminal() {
        eprintln!("{prompt}");
    }
    match read_paste(&mut StdinLines::new())? {
        Pasted::Found(found) => Ok(found),
        Pasted::Refused(e) | Pasted::Ended(Some(e)) => Err(e.into()),
        Pasted::Ended(None) => bail!(NO_CODE),
    }
}

/// Like [`read_code_from_stdin`] for a step that must not be lost to a wrong paste
/// (an invite or a browser offer waiting for its reply): anything that is not what
/// `wanted` accepts is explained and the next paste is read, until input ends.
/// `wanted` returns why a text does not fit, or `None` when it does.
pub fn read_wanted_from_stdin(
    prompt: &str,
    wanted: impl Fn(&Inbound) -> Option<String>,
) -> Result<Inbound> {
    if std::io::stdin().is_terminal() {
        eprintln!("{prompt}");
    }
    let mut lines = StdinLines::new();
    loop {
        let why = match read_paste(&mut lines)? {
            Pasted::Found(found) => match wanted(&found) {
                None => return Ok(found),
                Some(why) => why,
            },
            Pasted::Refused(e) => e.to_string(),
            Pasted::Ended(Some(e)) => return Err(e.into()),
            Pasted::Ended(None) => bail!(NO_CODE),
        };
        eprintln!(
            "{why} Nothing was loaded; paste the right one, or end the input (Ctrl-D) to stop."
        );
    }
}

/// How to show a code we made.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CodeOut {
    /// Also show the code as a QR code in the terminal.
    #[arg(long)]
    pub qr: bool,
    /// Also write the QR code as a PNG image.
    #[arg(long, value_name = "FILE")]
    pub qr_png: Option<PathBuf>,
    /// Also write the QR code as an SVG image.
    #[arg(long, value_name = "FILE")]
    pub qr_svg: Option<PathBuf>,
    /// Also write the code to a text file.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

impl CodeOut {
    /// Prints `code` under `heading` and writes the requested files.
    pub fn show(&self, heading: &str, code: &str) -> Result<()> {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{heading}\n\n{code}\n")?;
        if self.qr || self.qr_png.is_some() || self.qr_svg.is_some() {
            let image = qr::render(code)?;
            if self.qr {
                writeln!(stdout, "{}", image.to_terminal())?;
            }
            if let Some(path) = &self.qr_png {
                std::fs::write(path, image.to_png(8))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("QR code written to {}", path.display());
            }
            if let Some(path) = &self.qr_svg {
                std::fs::write(path, image.to_svg())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("QR code written to {}", path.display());
            }
        }
        stdout.flush()?;
        if let Some(path) = &self.out {
            // Write then rename, so a reader polling for the file never sees half a code.
            let tmp = path.with_extension("partial");
            std::fs::write(&tmp, format!("{code}\n"))
                .and_then(|()| std::fs::rename(&tmp, path))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = include_str!("../../core/tests/fixtures/sdp/chromium-offer.json");

    #[test]
    fn a_wrapped_paste_may_continue_until_its_last_line() {
        let json = OFFER.trim();
        let (head, tail) = json.split_at(300);
        let first = inbound::classify_text(&format!("{head}\n")).unwrap_err();
        assert!(may_continue(&first), "{first:?}");
        assert!(still_waiting(&first).contains("browser JSON"));
        assert!(inbound::classify_text(&format!("{head}\n{tail}\n")).is_ok());
        // Words before the code, then the code.
        assert!(may_continue(
            &inbound::classify_text("Here is my offer:\n").unwrap_err()
        ));
        // Nothing more can fix these.
        for text in ["{\"type\":\"offer\"}", "TINCAN-I9-AAAA"] {
            assert!(!may_continue(&inbound::classify_text(text).unwrap_err()));
        }
    }
}
