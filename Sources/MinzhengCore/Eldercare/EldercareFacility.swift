import Foundation
import Synchronization

/// An eldercare facility (养老机构) with what families choose by: where, what care, how much, free beds.
/// A class: search results pass facilities around by the dozen, and a reference costs one retain where a
/// struct of this size costs one per field.
public final class EldercareFacility: Sendable {
    public enum Nature: String, Sendable, CaseIterable {
        /// 公办
        case publicRun = "public"
        /// 民办
        case privateRun = "private"
        /// 公建民营
        case publicBuiltPrivateRun = "public_built_private_run"
    }

    public enum CareLevel: String, Sendable, CaseIterable {
        /// 自理
        case independent
        /// 半护理
        case partialCare = "partial_care"
        /// 全护理
        case fullCare = "full_care"
        /// 失能
        case disabled
        /// 失智 / 认知症
        case dementia
    }

    /// 医养结合
    public enum Medical: String, Sendable, CaseIterable {
        case onsiteClinic = "onsite_clinic", partnerClinic = "partner_clinic", none
    }

    public let id: Int64
    public let name: String
    public let division: DivisionCode
    public let address: String
    public let location: GeoPoint
    public let nature: Nature
    public let bedsTotal: Int
    /// As stored when the catalogue was loaded; live counts are kept beside it (`EldercareService`).
    public let bedsFree: Int
    /// In the order of `CareLevel.allCases`.
    public let careLevels: [CareLevel]
    public let medical: Medical
    /// 1-5 (GB/T 37276-2018); 0 while not yet rated.
    public let star: Int
    /// Yuan per month.
    public let priceMin: Int
    public let priceMax: Int
    public let phone: String
    public let updatedAt: Date
    /// The name in pinyin without tones or spaces ("nanjingshi...") and its syllables' initials ("njs...").
    public let pinyin: NamePinyin

    public init(id: Int64, name: String, division: DivisionCode, address: String, location: GeoPoint, nature: Nature, bedsTotal: Int,
                bedsFree: Int, careLevels: [CareLevel], medical: Medical, star: Int, priceMin: Int, priceMax: Int, phone: String,
                updatedAt: Date, pinyin: NamePinyin) {
        self.id = id
        self.name = name
        self.division = division
        self.address = address
        self.location = location
        self.nature = nature
        self.bedsTotal = bedsTotal
        self.bedsFree = bedsFree
        self.careLevels = careLevels
        self.medical = medical
        self.star = star
        self.priceMin = priceMin
        self.priceMax = priceMax
        self.phone = phone
        self.updatedAt = updatedAt
        self.pinyin = pinyin
    }
}

/// A Chinese name's pinyin, for searches typed on a phone keyboard: full ("yihe") and initials ("yh").
public struct NamePinyin: Sendable, Equatable {
    public let full: String
    public let initials: String

    public init(full: String, initials: String) {
        self.full = full
        self.initials = initials
    }

    /// Through ICU's Han-Latin transform, one character at a time (it reads characters one by one anyway;
    /// polyphones take the common reading), each character's reading remembered: opening a transform costs far
    /// more than looking up a name's few characters.
    public init(of name: String) {
        var full = "", initials = ""
        for character in name {
            let syllable = Self.syllable(character)
            full += syllable
            if let first = syllable.first { initials.append(first) }
        }
        self.full = full
        self.initials = initials
    }

    private static let readings = Mutex<[Character: String]>([:])

    static func syllable(_ character: Character) -> String {
        if character.isASCII { return character.isLetter || character.isNumber ? character.lowercased() : "" }
        if let known = readings.withLock({ $0[character] }) { return known }
        let latin = String(character).applyingTransform(StringTransform("Han-Latin; Latin-ASCII; Lower"), reverse: false) ?? ""
        let syllable = String(latin.filter { $0.isASCII && ($0.isLetter || $0.isNumber) })
        readings.withLock { $0[character] = syllable }
        return syllable
    }

    /// Whether an ASCII query (lower-case letters) is found in the full pinyin or the initials.
    public func matches(_ query: String) -> Bool { full.contains(query) || initials.contains(query) }
}
