//! A TCP relay the test harness puts between the server and one of its dependencies
//! (PostgreSQL, SMTP) to break the network on purpose: refuse connections, or black-hole
//! traffic — bytes held, nothing delivered either way, no reset — until it resumes, the
//! way a silent network drop behaves (packets retransmitted once the path is back).

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the relay does with traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Forward,
    /// Connections stay open; nothing goes through, in either direction, until `Forward`.
    BlackHole,
    /// New connections are closed at once and existing ones are cut (a service down).
    Refuse,
}

/// A running relay to `127.0.0.1:<upstream>`.
pub struct Relay {
    pub port: u16,
    mode: watch::Sender<Mode>,
}

impl Relay {
    /// Starts relaying from a free port of 127.0.0.1 (on the current Tokio runtime).
    pub async fn start(upstream: u16) -> Arc<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind relay");
        let port = listener.local_addr().expect("addr").port();
        let (mode, watcher) = watch::channel(Mode::Forward);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let watcher = watcher.clone();
                tokio::spawn(async move {
                    if *watcher.borrow() == Mode::Refuse {
                        return;
                    }
                    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                        return;
                    };
                    let (client_read, client_write) = client.into_split();
                    let (server_read, server_write) = server.into_split();
                    tokio::select! {
                        () = pump(client_read, server_write, watcher.clone()) => {}
                        () = pump(server_read, client_write, watcher) => {}
                    }
                });
            }
        });
        Arc::new(Self { port, mode })
    }

    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }
}

/// Copies one direction, holding each chunk while the relay black-holes and dropping the
/// connection when it refuses.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut mode: watch::Receiver<Mode>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = tokio::select! {
            read = from.read(&mut buffer) => read,
            _ = mode.wait_for(|m| *m == Mode::Refuse) => return,
        };
        let Ok(n) = read else { return };
        if n == 0 {
            return;
        }
        match mode.wait_for(|m| *m != Mode::BlackHole).await.map(|m| *m) {
            Ok(Mode::Forward) => {}
            _ => return,
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}
