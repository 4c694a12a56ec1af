//! HTTP methods on the API's routes (RFC 9110 §9, §15.5.6): a route asked with a method it
//! does not have answers 405 with `Allow` — not 404, which would say the URL does not
//! exist — and `HEAD` works wherever `GET` does. The routes and their methods are read from
//! the OpenAPI document, which lists exactly the handlers registered.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

use crate::error::ApiError;

/// The API's route patterns and the methods each answers.
pub struct Routes(Vec<(ResourceDef, Vec<Method>)>);

impl Routes {
    /// From the (complete) OpenAPI document.
    pub fn from_document(api: &utoipa::openapi::OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (Method::GET, item.get.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, present)| present.then_some(method))
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self(routes)
    }

    /// The methods `path` answers (with `HEAD` where `GET` is), or none if no route has it.
    fn allowed(&self, path: &str) -> Vec<Method> {
        let mut methods: Vec<Method> = self
            .0
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect();
        if methods.contains(&Method::GET) {
            methods.push(Method::HEAD);
        }
        methods.dedup();
        methods
    }
}

/// 405 with `Allow` for a method a route does not have; `HEAD` answered as `GET` without
/// its body.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let allowed = req
        .app_data::<web::Data<Routes>>()
        .map(|routes| routes.allowed(req.path()))
        .unwrap_or_default();
    if allowed.is_empty() || allowed.contains(req.method()) && req.method() != Method::HEAD {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
        let response = next.call(req).await?;
        return Ok(response.map_body(|_, _| BoxBody::new(())));
    }
    let mut response = ApiError::MethodNotAllowed.error_response();
    let allow = allowed
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(value) = header::HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    Ok(req.into_response(response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_lists_its_methods_and_head_where_get_is() {
        let routes = Routes(vec![
            (
                ResourceDef::new("/api/dossiers/{id}"),
                vec![Method::GET, Method::PATCH],
            ),
            (ResourceDef::new("/api/dossiers"), vec![Method::POST]),
        ]);
        assert_eq!(
            routes.allowed("/api/dossiers/42"),
            vec![Method::GET, Method::PATCH, Method::HEAD]
        );
        assert_eq!(routes.allowed("/api/dossiers"), vec![Method::POST]);
        assert!(routes.allowed("/api/nothing").is_empty());
    }
}
