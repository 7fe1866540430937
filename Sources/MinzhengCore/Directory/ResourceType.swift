/// A kind of civil-affairs resource in the directory. The list is data (the province can change it);
/// `defaults` is the set named in the domain handbook.
public struct ResourceType: Sendable, Hashable {
    public let slug: String
    public let name: String

    public init(slug: String, name: String) {
        self.slug = slug
        self.name = name
    }

    public static let defaults: [ResourceType] = [
        .init(slug: "administrative-division", name: "行政区划"),
        .init(slug: "relief-station", name: "救助管理站"),
        .init(slug: "minor-protection-center", name: "未成年人保护中心"),
        .init(slug: "marriage-registry", name: "婚姻登记处"),
        .init(slug: "funeral-home", name: "殡仪馆"),
        .init(slug: "eldercare-facility", name: "养老机构"),
        .init(slug: "child-welfare-institution", name: "儿童福利机构"),
        .init(slug: "cemetery", name: "公墓"),
        .init(slug: "community-service-center", name: "社区综合服务中心"),
        .init(slug: "social-organization", name: "社会组织"),
    ]
}
