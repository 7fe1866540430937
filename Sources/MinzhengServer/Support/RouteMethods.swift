import Synchronization

/// The methods each path of the API answers, as the generated code registers them: what a 405 lists in `Allow`.
final class RouteMethods: Sendable {
    private let routes = Mutex<[(segments: [Substring], method: String)]>([])

    func record(method: String, path: String) {
        routes.withLock { $0.append((path.split(separator: "/"), method)) }
    }

    /// The methods of the path templates `path` fits (`{name}` fits any one segment), in a fixed order; HEAD
    /// wherever GET (the router answers it).
    func allowed(for path: String) -> [String] {
        let segments = path.split(separator: "/")
        let methods = routes.withLock { routes in
            Set(routes.filter { route in
                route.segments.count == segments.count
                    && zip(route.segments, segments).allSatisfy { $0.first == "{" || $0 == $1 }
            }.map(\.method))
        }
        let withHead = methods.contains("GET") ? methods.union(["HEAD"]) : methods
        return ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"].filter(withHead.contains)
    }
}
