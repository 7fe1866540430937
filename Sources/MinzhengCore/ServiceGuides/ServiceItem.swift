import Foundation

/// The seven groups citizens browse the civil-affairs catalogue by.
public enum ServiceTopic: String, Sendable, CaseIterable, Codable {
    case marriageAndAdoption = "婚姻收养"
    case socialOrganisations = "社会组织"
    case socialAssistance = "社会救助"
    case eldercare = "养老服务"
    case childWelfare = "儿童福利"
    case funerals = "殡葬"
    case divisionsAndPlaceNames = "区划地名"
}

/// How far an item can be done without going to a window.
public enum OnlineAvailability: String, Sendable, CaseIterable, Codable {
    /// Applied for and answered online (全程网办).
    case fullyOnline = "fully_online"
    /// Applied for online, the result mailed (不见面审批).
    case onlineMailed = "online_mailed"
    /// At the window.
    case inPerson = "in_person"

    public var label: String {
        switch self {
        case .fullyOnline: "全程网办"
        case .onlineMailed: "网上申请、结果邮寄"
        case .inPerson: "窗口办理"
        }
    }
}

/// The four attributes province, city and county must publish identically (三级四同): type, name, code and
/// legal basis.
public struct SharedAttributes: Sendable, Equatable, Codable {
    public let code: String
    /// 行政许可, 行政确认, 行政给付, 公共服务, ...
    public let type: String
    public let name: String
    public let legalBasis: String

    public init(code: String, type: String, name: String, legalBasis: String) {
        self.code = code
        self.type = type
        self.name = name
        self.legalBasis = legalBasis
    }

    /// The four, named as `catalogue check` reports them.
    public enum Attribute: String, Sendable, CaseIterable {
        case itemType = "type"
        case name, code
        case legalBasis = "legal_basis"
    }

    func value(of attribute: Attribute) -> String {
        switch attribute {
        case .itemType: type
        case .name: name
        case .code: code
        case .legalBasis: legalBasis
        }
    }
}

/// The service guide (办事指南) of an item, the same at every level.
public struct ServiceGuide: Sendable, Equatable, Codable {
    public struct Material: Sendable, Equatable, Codable {
        public let name: String
        /// "original" or "copy".
        public let form: String
        public let count: Int
        /// Fetched from the electronic licence library (电子证照库) instead of handed in.
        public let licenceLibrary: Bool

        enum CodingKeys: String, CodingKey {
            case name, form, count
            case licenceLibrary = "licence_library"
        }
    }

    public struct Question: Sendable, Equatable, Codable {
        public let q: String
        public let a: String
    }

    public let conditions: [String]
    public let materials: [Material]
    public let steps: [String]
    /// The time limit the law sets, in working days (0: decided on the spot).
    public let statutoryDays: Int
    /// The province's promise, in working days, never longer than the law's.
    public let promisedDays: Int
    public let fee: String
    public let online: OnlineAvailability
    public let faqs: [Question]

    enum CodingKeys: String, CodingKey {
        case conditions, materials, steps, fee, online, faqs
        case statutoryDays = "statutory_days"
        case promisedDays = "promised_days"
    }
}

/// One item of the catalogue as the province publishes it.
public struct ServiceItem: Sendable, Equatable, Codable {
    public let topic: ServiceTopic
    public let attributes: SharedAttributes
    public let guide: ServiceGuide

    public var code: String { attributes.code }
    public var name: String { attributes.name }

    public init(topic: ServiceTopic, attributes: SharedAttributes, guide: ServiceGuide) {
        self.topic = topic
        self.attributes = attributes
        self.guide = guide
    }
}

/// An item as one level (province, city or county) publishes it: its own copy of the shared attributes, and the
/// window that handles it there.
public struct ServicePublication: Sendable, Equatable {
    public let division: DivisionCode
    public let attributes: SharedAttributes
    public let window: String

    public init(division: DivisionCode, attributes: SharedAttributes, window: String) {
        self.division = division
        self.attributes = attributes
        self.window = window
    }
}

/// A level's local facts: where its civil-affairs services are handled.
public struct ServiceHall: Sendable, Equatable {
    public let division: DivisionCode
    public let name: String
    public let address: String
    public let phone: String
    public let hours: String

    public init(division: DivisionCode, name: String, address: String, phone: String, hours: String) {
        self.division = division
        self.name = name
        self.address = address
        self.phone = phone
        self.hours = hours
    }
}

/// Everything the catalogue stores: the province's items, every level's publications, every level's hall.
public struct ServiceCatalogueData: Sendable, Equatable {
    public let items: [ServiceItem]
    public let publications: [ServicePublication]
    public let halls: [ServiceHall]

    public init(items: [ServiceItem], publications: [ServicePublication], halls: [ServiceHall]) {
        self.items = items
        self.publications = publications
        self.halls = halls
    }

    public static let empty = ServiceCatalogueData(items: [], publications: [], halls: [])
}

/// Stores the catalogue.
public protocol ServiceCatalogueStore: Sendable {
    func serviceCatalogue() async throws -> ServiceCatalogueData
    /// Replaces the stored catalogue with `parse()`'s, once per file content (`checksum`); false when this
    /// content was imported before.
    @discardableResult
    func importServiceCatalogue(checksum: String, _ parse: () throws -> ServiceCatalogueData) async throws -> Bool
}
