//! Getting codes in (argument, file, standard input, QR image) and out (text, QR in
//! the terminal, PNG, SVG, a file).

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use tincan_core::code::text;
use tincan_core::qr;

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
const MAX_CODE_TEXT: u64 = 64 * 1024;

impl CodeIn {
    /// Reads the code, prompting with `prompt` when reading a terminal.
    pub fn read(&self, prompt: &str) -> Result<String> {
        if let Some(path) = &self.file {
            let mut text = String::new();
            std::fs::File::open(path)
                .with_context(|| format!("cannot open {}", path.display()))?
                .take(MAX_CODE_TEXT)
                .read_to_string(&mut text)
                .with_context(|| format!("cannot read {}", path.display()))?;
            return Ok(text);
        }
        if let Some(path) = &self.qr_image {
            return Ok(qr::decode_image_file(path)?);
        }
        match self.code.as_deref() {
            Some("-") | None => read_code_from_stdin(prompt),
            Some(code) => Ok(code.to_owned()),
        }
    }
}

/// Reads lines until they hold a whole code (a messenger may have wrapped it), or to
/// the end of input.
pub fn read_code_from_stdin(prompt: &str) -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("{prompt}");
    }
    let mut collected = String::new();
    for line in stdin.lock().lines() {
        let line = line.context("cannot read standard input")?;
        collected.push_str(&line);
        collected.push('\n');
        if text::looks_like_code(&collected) && text::decode(&collected).is_ok() {
            return Ok(collected);
        }
        if collected.len() as u64 > MAX_CODE_TEXT {
            bail!("that is far longer than any code");
        }
    }
    if collected.trim().is_empty() {
        bail!("no code given (pass it as an argument, with --file or --qr-image, or paste it)");
    }
    Ok(collected)
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
