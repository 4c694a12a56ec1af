//! A webhook receiver on loopback for the tests: records every message it gets (with the
//! Standard Webhooks headers) and answers the status the test sets.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

/// One message the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

/// A webhook receiver on loopback: records what it gets, answers `status`.
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
    pub status: Arc<AtomicU16>,
    /// Requests to `/followed`, where its redirections point.
    pub followed: Arc<AtomicU16>,
}

impl Receiver {
    pub async fn start() -> Self {
        let got = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let followed = Arc::new(AtomicU16::new(0));
        let (shared_got, shared_status, shared_followed) =
            (got.clone(), status.clone(), followed.clone());
        let server = HttpServer::new(move || {
            let (got, status, followed) = (
                shared_got.clone(),
                shared_status.clone(),
                shared_followed.clone(),
            );
            App::new()
                .route(
                    "/followed",
                    web::post().to(move || {
                        followed.fetch_add(1, Ordering::SeqCst);
                        async { HttpResponse::Ok().finish() }
                    }),
                )
                .route(
                    "/hooks",
                    web::post().to(move |req: HttpRequest, body: web::Bytes| {
                        let (got, status) = (got.clone(), status.clone());
                        async move {
                            let header = |name: &str| {
                                req.headers()
                                    .get(name)
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or_default()
                                    .to_string()
                            };
                            got.lock().expect("lock").push(Received {
                                id: header("webhook-id"),
                                timestamp: header("webhook-timestamp"),
                                signature: header("webhook-signature"),
                                body: String::from_utf8_lossy(&body).into_owned(),
                            });
                            let code = status.load(Ordering::SeqCst);
                            HttpResponse::build(
                                actix_web::http::StatusCode::from_u16(code).expect("status"),
                            )
                            .insert_header(("location", "/followed"))
                            .finish()
                        }
                    }),
                )
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("bind");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self {
            url: format!("http://127.0.0.1:{port}/hooks"),
            got,
            status,
            followed,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }

    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= count {
                return got;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "{count} webhook(s) expected, got {got:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
