/// The query parameters `openapi/openapi.yaml` names, by operation (method and path template as registered). An
/// operation not listed takes none. `QueryParameterTests` holds this table to the document: change both together.
enum DocumentedQueryParameters {
    static let byOperation: [String: Set<Substring>] = [
        "GET /v1/divisions": ["q", "level", "limit", "cursor"],
        "GET /v1/divisions/{code}/children": ["limit", "cursor"],
        "GET /v1/directory/{type}": ["division", "q", "near", "radius_km", "limit", "cursor"],
        "GET /v1/marriage-registries/{office_id}/availability": ["service", "from", "to"],
        "GET /v1/marriage-bookings": ["limit", "cursor"],
        "GET /v1/staff/marriage-registries/{office_id}/roster": ["date"],
        "GET /v1/staff/marriage-registries/{office_id}/utilisation": ["service", "from", "to"],
        "GET /v1/staff/marriage-registries/{office_id}/live": ["date", "service"],
        "GET /v1/social-orgs/verify": ["code", "name"],
        "GET /v1/social-orgs": ["q", "type", "status", "division", "limit", "cursor"],
        "GET /v1/eldercare-facilities": ["near", "radius_km", "division", "q", "care_level", "nature", "min_star",
                                         "max_monthly_price", "has_free_beds", "sort", "limit", "cursor"],
        "GET /v1/staff/deliveries": ["status", "webhook_id", "limit"],
        "GET /v1/service-items": ["division", "q", "topic"],
        "GET /v1/service-items/{item_code}": ["division"],
        "GET /v1/applications": ["limit", "cursor"],
        "GET /v1/staff/applications": ["status", "limit", "cursor"],
        "GET /v1/staff/applications/overdue": ["limit", "cursor"],
    ]

    /// The names `method` on `template` accepts.
    static func names(method: String, template: String) -> Set<Substring> {
        byOperation["\(method == "HEAD" ? "GET" : method) \(template)"] ?? []
    }
}
