import Hummingbird
import MinzhengCore

/// A query parameter the API document does not name for the operation is refused (400 `unknown_parameter`), as an
/// unknown body field is: `limt=5` or `statu=dead` would otherwise be ignored and answer as if never sent.
/// Names are compared as sent, not percent-decoded, since the handlers read them so.
struct QueryParameterMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Most requests carry no query; those pay nothing here. A path no operation has is the router's 404/405.
        if let query = request.uri.query, !query.isEmpty,
           let template = routes.template(method: request.method.rawValue, path: request.uri.path) {
            let documented = DocumentedQueryParameters.names(method: request.method.rawValue, template: template)
            // Empty pieces (`a=1&&b=2`) are no parameter; `=x` is one without a name.
            let names = query.split(separator: "&").map { $0.prefix { $0 != "=" } }
            if let unknown = names.first(where: { !documented.contains($0) }) {
                throw DomainError(.badRequest, code: "unknown_parameter", title: "不支持的查询参数",
                                  detail: unknown.isEmpty
                                      ? "a query parameter without a name was sent"
                                      : "this operation takes no query parameter named \(String(unknown).debugDescription)")
            }
        }
        return try await next(request, context)
    }
}
