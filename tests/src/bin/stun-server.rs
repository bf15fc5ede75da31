//! A STUN binding responder for tests: answers every Binding request with the address
//! it came from (XOR-MAPPED-ADDRESS), which is all ICE needs to learn server-reflexive
//! candidates. Runs inside a test's "internet" namespace, so behind-NAT peers see their
//! router's public address.
//!
//! Built on `rtc-stun` (re-exported as `rtc::stun`), the STUN code webrtc itself uses:
//! no extra dependency and no system daemon to configure. Prints `listening <addr>`
//! once bound and `binding <from>` per request (the test reads both). Exits by itself
//! when the process that started it dies or after `--lifetime-secs` (default 300), so a
//! test killed mid-run leaves nothing behind.
//!
//! Usage: `stun-server --bind 198.18.0.1:3478 [--lifetime-secs 300]`

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rtc::stun::fingerprint::FINGERPRINT;
use rtc::stun::message::{Message, Setter, BINDING_REQUEST, BINDING_SUCCESS};
use rtc::stun::xoraddr::XorMappedAddress;

fn main() -> Result<()> {
    let mut bind: Option<SocketAddr> = None;
    let mut lifetime = Duration::from_secs(300);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--bind" => bind = Some(value.parse().context("--bind ADDR:PORT")?),
            "--lifetime-secs" => {
                lifetime = Duration::from_secs(value.parse().context("--lifetime-secs N")?)
            }
            other => bail!("unknown option {other}; usage: stun-server --bind ADDR:PORT"),
        }
    }
    let bind = bind.context("usage: stun-server --bind ADDR:PORT [--lifetime-secs N]")?;
    let socket = UdpSocket::bind(bind).with_context(|| format!("binding {bind}"))?;
    // Wake up now and then to honour the lifetime even when nobody asks anything.
    socket.set_read_timeout(Some(Duration::from_millis(500)))?;
    println!("listening {}", socket.local_addr()?);

    let deadline = Instant::now() + lifetime;
    // If the test that started us dies, we are re-parented: stop with it.
    let parent = std::os::unix::process::parent_id();
    let mut buf = [0u8; 1500];
    while Instant::now() < deadline && std::os::unix::process::parent_id() == parent {
        let (len, from) = match socket.recv_from(&mut buf) {
            Ok(got) => got,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            Err(e) => return Err(e).context("receiving"),
        };
        let Some(packet) = buf.get(..len) else {
            continue;
        };
        match respond(packet, from) {
            Ok(Some(reply)) => {
                socket.send_to(&reply, from)?;
                println!("binding {from}");
            }
            Ok(None) => {}
            // Garbage from the network is reported, never fatal.
            Err(e) => eprintln!("ignoring packet from {from}: {e:#}"),
        }
    }
    Ok(())
}

/// The Binding success response for a Binding request; `None` for any other message.
fn respond(packet: &[u8], from: SocketAddr) -> Result<Option<Vec<u8>>> {
    let mut request = Message::new();
    request.unmarshal_binary(packet)?;
    if request.typ != BINDING_REQUEST {
        return Ok(None);
    }
    let mut reply = Message::new();
    let mapped = XorMappedAddress {
        ip: from.ip(),
        port: from.port(),
    };
    let setters: [Box<dyn Setter>; 4] = [
        Box::new(BINDING_SUCCESS),
        Box::new(request.transaction_id),
        Box::new(mapped),
        Box::new(FINGERPRINT),
    ];
    reply.build(&setters)?;
    Ok(Some(reply.raw))
}
