//! A tower layer around the LSP service: a panic inside any handler is caught, logged, answered
//! with an InternalError for requests, and the server keeps serving.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::FutureExt;
use tower::Service;
use tower_lsp_server::jsonrpc::{Error, Request, Response};

pub struct CatchPanic<S> {
    inner: S,
}

impl<S> CatchPanic<S> {
    pub fn new(inner: S) -> Self {
        CatchPanic { inner }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

impl<S> Service<Request> for CatchPanic<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = BoxFuture<std::result::Result<Option<Response>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<std::result::Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let id = req.id().cloned();
        let method = req.method().to_string();
        let fut = match std::panic::catch_unwind(AssertUnwindSafe(|| self.inner.call(req))) {
            Ok(f) => f,
            Err(_) => {
                eprintln!(
                    "restate-lsp: internal error while dispatching {method}; the server keeps running"
                );
                return Box::pin(async move {
                    Ok(id.map(|id| Response::from_error(id, Error::internal_error())))
                });
            }
        };
        Box::pin(async move {
            match AssertUnwindSafe(fut).catch_unwind().await {
                Ok(r) => r,
                Err(panic) => {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    eprintln!(
                        "restate-lsp: internal error in {method}: {what}; the server keeps running"
                    );
                    Ok(id.map(|id| {
                        Response::from_error(
                            id,
                            Error {
                                code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
                                message: format!("restate-lsp failed on {method}: {what}").into(),
                                data: None,
                            },
                        )
                    }))
                }
            }
        })
    }
}
