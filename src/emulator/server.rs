//! The emulator over HTTP (`peerform emulator serve`): a tiny_http server on a loopback address with
//! a few worker threads, each turning an HTTP request into an [`arm::Request`](crate::arm::Request)
//! for [`Emulator::handle`] and writing the answer back. It must not hold ARM logic, and it refuses
//! to listen anywhere but loopback.

use super::Emulator;
use crate::arm::{Method, Request};
use anyhow::{Context, Result, bail};
use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Largest request body accepted.
const MAX_REQUEST_BODY: u64 = 16 * 1024 * 1024;

/// A running server; dropping it (or calling [`Server::shutdown`]) stops it.
pub struct Server {
    address: SocketAddr,
    http: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl Server {
    /// Listen on `listen` (`127.0.0.1:0` picks a free port) with `threads` workers.
    pub fn start(emulator: Arc<Emulator>, listen: &str, threads: usize) -> Result<Server> {
        let address: SocketAddr = listen
            .parse()
            .with_context(|| format!("invalid listen address {listen:?}: expected IP:PORT"))?;
        if !address.ip().is_loopback() {
            bail!("the emulator listens on loopback only (127.0.0.1 or [::1]), not {address}");
        }
        let listener =
            nodelay_listener(address).with_context(|| format!("listening on {address}"))?;
        let http = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("listening on {address}"))?;
        let address = http
            .server_addr()
            .to_ip()
            .context("the server has no IP address")?;
        let http = Arc::new(http);
        let stop = Arc::new(AtomicBool::new(false));
        let base = format!("http://{address}");
        let workers = (0..threads.max(1))
            .map(|_| {
                let http = Arc::clone(&http);
                let stop = Arc::clone(&stop);
                let emulator = Arc::clone(&emulator);
                let base = base.clone();
                std::thread::spawn(move || serve(&http, &stop, &emulator, &base))
            })
            .collect();
        Ok(Server {
            address,
            http,
            stop,
            workers,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Block until the process is stopped (for `emulator serve`).
    pub fn wait(mut self) {
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }

    pub fn shutdown(mut self) {
        self.stop_workers();
    }

    fn stop_workers(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for _ in &self.workers {
            self.http.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_workers();
    }
}

/// A listening socket whose connections send at once (`TCP_NODELAY`, inherited by accepted
/// sockets on Linux). Without it a response that leaves in two writes (headers, then a body past
/// the writer's buffer) waits for the client's delayed ACK of the first: about 40 ms a request.
fn nodelay_listener(address: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&address.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

fn serve(http: &tiny_http::Server, stop: &AtomicBool, emulator: &Emulator, base: &str) {
    while !stop.load(Ordering::SeqCst) {
        let incoming = match http.recv_timeout(Duration::from_millis(200)) {
            Ok(Some(incoming)) => incoming,
            Ok(None) => continue,
            Err(_) => continue,
        };
        if stop.load(Ordering::SeqCst) {
            break;
        }
        answer(incoming, emulator, base);
    }
}

fn answer(mut incoming: tiny_http::Request, emulator: &Emulator, base: &str) {
    let method = Method::parse(incoming.method().as_str());
    let headers: Vec<(String, String)> = incoming
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_string(),
                h.value.as_str().to_string(),
            )
        })
        .collect();
    let mut body = Vec::new();
    let read = incoming
        .as_reader()
        .take(MAX_REQUEST_BODY)
        .read_to_end(&mut body);
    let response = match (method, read) {
        (Some(method), Ok(_)) => {
            let request = Request {
                method,
                url: incoming.url().to_string(),
                headers,
                body: if body.is_empty() { None } else { Some(body) },
            };
            emulator.handle(&request, base)
        }
        (None, _) => crate::arm::Response::new(405).with_json(
            &crate::arm::ArmError::new(
                405,
                "MethodNotAllowed",
                "The HTTP method is not supported.",
            )
            .body(),
        ),
        (_, Err(e)) => crate::arm::Response::new(400).with_json(
            &crate::arm::ArmError::new(
                400,
                "InvalidRequestContent",
                format!("The request body could not be read: {e}"),
            )
            .body(),
        ),
    };
    let mut http_response = tiny_http::Response::from_data(response.body)
        .with_status_code(tiny_http::StatusCode(response.status));
    for (name, value) in &response.headers {
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            http_response.add_header(header);
        }
    }
    let _ = incoming.respond(http_response);
}
