import Foundation
import MinzhengCore

/// What every social-organisation store must do: take the province's feed (the shipped sample), count what it
/// added, changed and left alone, bump its version only on change, and answer the organisations back exactly.
/// The store must already hold the shipped divisions (`LookupStoreContract` imports them).
public enum SocialOrgStoreContract {
    public static func run(_ store: any SocialOrgStore) async throws {
        func check(_ condition: Bool, _ promise: String) throws { try ContractFailure.check(condition, "SocialOrgStore", promise) }
        let seed = try SeedSet.load(from: Fixtures.seedDirectory)
        let feed = SocialOrgFeed(data: try Data(contentsOf: Fixtures.seedDirectory.appendingPathComponent("social-orgs.csv")),
                                 divisions: Set(seed.divisions.map(\.code)))
        let organisations = feed.organisations
        try check(!organisations.isEmpty && feed.rejections.isEmpty, "the shipped feed parses")
        try check(try await store.version() == 0, "an empty store is at version 0")
        let first = try await store.upsert(organisations)
        try check(first == (organisations.count, 0, 0), "a first import adds every organisation, not \(first)")
        let version = try await store.version()
        try check(version > 0, "an import that changed something bumps the version")
        let again = try await store.upsert(organisations)
        try check(again == (0, 0, organisations.count), "the same feed again changes nothing, not \(again)")
        try check(try await store.version() == version, "an import that changed nothing keeps the version")
        var changedOne = organisations[0]
        changedOne = SocialOrg(code: changedOne.code, name: changedOne.name + "（更名）", kind: changedOne.kind, status: changedOne.status,
                               authority: changedOne.authority, division: changedOne.division, registeredOn: changedOne.registeredOn,
                               legalRepresentative: changedOne.legalRepresentative, address: changedOne.address, phone: changedOne.phone,
                               inspections: changedOne.inspections, listEntries: changedOne.listEntries)
        let renamed = try await store.upsert([changedOne] + organisations.dropFirst())
        try check(renamed == (0, 1, organisations.count - 1), "one renamed organisation is one change, not \(renamed)")
        try check(try await store.version() > version, "a change bumps the version")
        let stored = try await store.socialOrgs().sorted { $0.code.value < $1.code.value }
        let expected = ([changedOne] + organisations.dropFirst()).sorted { $0.code.value < $1.code.value }
        try check(stored == expected, "organisations come back exactly as stored (\(stored.count) of \(expected.count))")

        // A code stored before the organisation-code check (GB 11714) was made is read back, not refused.
        let template = organisations[1]
        let older = try CreditCode(Fixtures.creditCodeFailingOnlyTheOrganisationCheck(String(template.code.value.prefix(16))),
                                   checkingOrganisationCode: false)
        let imported = SocialOrg(code: older, name: template.name + "（旧码）", kind: template.kind, status: template.status,
                                 authority: template.authority, division: template.division, registeredOn: template.registeredOn,
                                 legalRepresentative: template.legalRepresentative, address: template.address, phone: template.phone,
                                 inspections: template.inspections, listEntries: template.listEntries)
        _ = try await store.upsert([imported])
        try check(try await store.socialOrgs().contains(imported), "a code imported before the organisation-code check is read back")
    }
}
