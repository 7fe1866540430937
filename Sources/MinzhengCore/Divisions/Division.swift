/// An administrative division: province, city, county or township.
public struct Division: Sendable, Hashable {
    public let code: DivisionCode
    public let name: String
    /// A statistical unit that is not a legal division: development zone, park, farm.
    public let functionalZone: Bool

    public init(code: DivisionCode, name: String, functionalZone: Bool = false) {
        self.code = code
        self.name = name
        self.functionalZone = functionalZone
    }

    public var level: DivisionLevel { code.level }
    public var parentCode: DivisionCode? { code.parent }
}
