import Foundation

/// A registered social organisation (社会组织), as the civil-affairs registry keeps it.
public struct SocialOrg: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// 社会团体
        case socialGroup = "social_group"
        /// 民办非企业单位 / 社会服务机构
        case socialService = "social_service"
        /// 基金会
        case foundation

        /// The credit code's second character for this kind.
        public var category: Character {
            switch self {
            case .socialGroup: "1"
            case .socialService: "2"
            case .foundation: "3"
            }
        }

        public var label: String {
            switch self {
            case .socialGroup: "社会团体"
            case .socialService: "社会服务机构"
            case .foundation: "基金会"
            }
        }
    }

    public enum Status: String, Sendable, CaseIterable {
        /// 正常
        case active
        /// 注销
        case deregistered
        /// 撤销登记
        case registrationRevoked = "registration_revoked"
        /// 吊销登记证书
        case certificateRevoked = "certificate_revoked"

        public var label: String {
            switch self {
            case .active: "正常"
            case .deregistered: "已注销"
            case .registrationRevoked: "已撤销登记"
            case .certificateRevoked: "已吊销登记证书"
            }
        }
    }

    /// Annual inspection (年检 / 年报) of one year.
    public struct Inspection: Sendable, Equatable {
        public enum Result: String, Sendable, CaseIterable {
            case pass, basicPass = "basic_pass", fail

            public var label: String {
                switch self {
                case .pass: "合格"
                case .basicPass: "基本合格"
                case .fail: "不合格"
                }
            }
        }

        public let year: Int
        public let result: Result

        public init(year: Int, result: Result) {
            self.year = year
            self.result = result
        }
    }

    /// An entry on one of the credit lists of 民政部令第60号.
    public struct ListEntry: Sendable, Equatable {
        public enum List: String, Sendable, CaseIterable {
            /// 活动异常名录
            case irregularActivity = "irregular_activity"
            /// 严重违法失信名单
            case seriousDishonesty = "serious_dishonesty"

            public var label: String {
                switch self {
                case .irregularActivity: "活动异常名录"
                case .seriousDishonesty: "严重违法失信名单"
                }
            }
        }

        public let list: List
        public let date: LocalDate
        public let reason: String

        public init(list: List, date: LocalDate, reason: String) {
            self.list = list
            self.date = date
            self.reason = reason
        }
    }

    public let code: CreditCode
    public let name: String
    public let kind: Kind
    public let status: Status
    /// The registering civil-affairs authority, e.g. 南京市民政局.
    public let authority: String
    public let division: DivisionCode
    public let registeredOn: LocalDate
    /// Unmasked; every answer masks it.
    public let legalRepresentative: String
    public let address: String
    public let phone: String
    /// Oldest first.
    public let inspections: [Inspection]
    public let listEntries: [ListEntry]

    public init(code: CreditCode, name: String, kind: Kind, status: Status, authority: String, division: DivisionCode,
                registeredOn: LocalDate, legalRepresentative: String, address: String, phone: String, inspections: [Inspection],
                listEntries: [ListEntry]) {
        self.code = code
        self.name = name
        self.kind = kind
        self.status = status
        self.authority = authority
        self.division = division
        self.registeredOn = registeredOn
        self.legalRepresentative = legalRepresentative
        self.address = address
        self.phone = phone
        self.inspections = inspections
        self.listEntries = listEntries
    }

    /// What a citizen should be told before trusting the organisation: it no longer exists legally, it is on a
    /// credit list, or its latest annual inspection failed.
    public var warnings: [Warning] {
        var warnings: [Warning] = []
        if status != .active {
            warnings.append(Warning(code: "not_active", message: "该组织登记状态为“\(status.label)”，已不能以社会组织名义开展活动"))
        }
        for entry in listEntries {
            let code = entry.list == .irregularActivity ? "irregular_activity_list" : "serious_dishonesty_list"
            warnings.append(Warning(code: code, message: "该组织于\(entry.date)被列入\(entry.list.label)：\(entry.reason)"))
        }
        if let latest = inspections.last, latest.result == .fail {
            warnings.append(Warning(code: "inspection_failed", message: "该组织\(latest.year)年度检查结论为不合格"))
        }
        return warnings
    }

    public struct Warning: Sendable, Equatable {
        public let code: String
        public let message: String
    }

    /// Whether `name` is this organisation's name, ignoring spaces and the width of brackets.
    public func nameMatches(_ name: String) -> Bool { Self.normalised(name) == Self.normalised(self.name) }

    static func normalised(_ name: String) -> String {
        String(name.unicodeScalars.compactMap { scalar -> Character? in
            switch scalar {
            case " ", "\u{3000}", "\t": nil
            case "（": "("
            case "）": ")"
            default: Character(scalar)
            }
        })
    }
}

extension CreditCode.Problem {
    /// The reason a citizen (or a data clerk) is told.
    public var explanation: String {
        switch self {
        case .length(let count): "a Unified Social Credit Code has 18 characters, this one has \(count)"
        case .character(let position): "character \(position) is not allowed (only 0-9 and A-Z without I, O, S, V, Z)"
        case .checkCharacter(let expected): "the check character (the 18th) does not match: it should be \(expected)"
        case .organisationCheck(let expected):
            "the organisation code's check character (the 17th, GB 11714) does not match: it should be \(expected)"
        }
    }
}
