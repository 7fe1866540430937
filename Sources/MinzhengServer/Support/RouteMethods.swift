import Synchronization

/// The operations of the API as the generated code registers them (method and path template): what a 405 lists in
/// `Allow`, and which operation a request's query parameters are judged against.
final class RouteMethods: Sendable {
    private struct Route {
        let method: String
        let template: String
        let segments: [Substring]

        func fits(_ path: [Substring]) -> Bool {
            segments.count == path.count && zip(segments, path).allSatisfy { $0.first == "{" || $0 == $1 }
        }

        /// Literal segments fit before `{name}` ones: `/applications/overdue` before `/applications/{number}`.
        var literalCount: Int { segments.count { $0.first != "{" } }
    }

    private let routes = Mutex<[Route]>([])

    func record(method: String, path: String) {
        routes.withLock { $0.append(Route(method: method, template: path, segments: path.split(separator: "/"))) }
    }

    /// The methods of the path templates `path` fits (`{name}` fits any one segment), in a fixed order; HEAD
    /// wherever GET (the router answers it).
    func allowed(for path: String) -> [String] {
        let segments = path.split(separator: "/")
        let methods = routes.withLock { routes in Set(routes.filter { $0.fits(segments) }.map(\.method)) }
        let withHead = methods.contains("GET") ? methods.union(["HEAD"]) : methods
        return ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"].filter(withHead.contains)
    }

    /// The template of the operation `method` and `path` reach (HEAD reaches GET's), or nil when none does.
    func template(method: String, path: String) -> String? {
        let method = method == "HEAD" ? "GET" : method
        let segments = path.split(separator: "/")
        return routes.withLock { routes in
            routes.filter { $0.method == method && $0.fits(segments) }.max { $0.literalCount < $1.literalCount }?.template
        }
    }
}
