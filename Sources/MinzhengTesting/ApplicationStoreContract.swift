import Foundation
import MinzhengCore

/// What every `ApplicationStore` and `ServiceCatalogueStore` must do, whatever database is behind them: the shipped
/// catalogue back exactly, once per content; applications back exactly; lists scoped and ordered (the overdue list
/// by promise, so the most overdue never fall off a page); a step taken only from the status it expects; each
/// overdue application reported once; look-ups counted in their window.
public enum ApplicationStoreContract {
    static func check(_ condition: Bool, _ promise: String) throws { try ContractFailure.check(condition, "ApplicationStore", promise) }

    /// `staffID`: a staff member the store's audit log can name.
    public static func run(_ store: any ApplicationStore, catalogue: any ServiceCatalogueStore, staffID: Int64) async throws {
        let directory = Fixtures.seedDirectory
        let seed = try SeedSet.load(from: directory)
        let shipped = try ServiceCatalogueFeed.parse(
            items: try Data(contentsOf: directory.appendingPathComponent("service-items.json")),
            publications: try String(contentsOf: directory.appendingPathComponent("service-publications.csv"), encoding: .utf8),
            halls: try String(contentsOf: directory.appendingPathComponent("service-halls.csv"), encoding: .utf8),
            divisions: Set(seed.divisions.map(\.code)))
        try check(try await catalogue.importServiceCatalogue(checksum: "c1") { shipped }, "a new catalogue is imported")
        try check(try await !catalogue.importServiceCatalogue(checksum: "c1") { throw ContractFailure(description: "the catalogue was parsed again") },
                  "the same content is not imported (nor parsed) again")
        try check(try await catalogue.serviceCatalogue() == shipped, "the catalogue comes back exactly as imported")
        // Another catalogue, then the first one's files put back: the first is read again, not taken as done.
        let changed = ServiceCatalogueData(items: shipped.items, publications: shipped.publications, halls: Array(shipped.halls.dropLast()))
        try check(try await catalogue.importServiceCatalogue(checksum: "c2") { changed }, "another catalogue is imported")
        try check(try await catalogue.serviceCatalogue() == changed, "the other catalogue replaces the first")
        try check(try await catalogue.importServiceCatalogue(checksum: "c1") { shipped }, "an earlier catalogue put back is imported again")
        try check(try await catalogue.serviceCatalogue() == shipped, "the earlier catalogue is back")

        let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15
        let today = LocalDate.today(at: now)
        let owner = BookingOwner(clientID: 7, subject: "openid-1")
        func application(_ number: String, _ division: String, promised: Int, submitted: TimeInterval) -> ApplicationDraft {
            let masked = MaskedApplicant(name: "王*", idNumber: "3201**********2311", phone: "139****5678")
            let at = now.addingTimeInterval(submitted)
            let record = ApplicationRecord(
                number: number, itemCode: "MZ-03-001", itemName: "最低生活保障审核确认", division: DivisionCode(division)!, owner: owner,
                applicant: masked, status: .submitted, submittedAt: at, promisedDate: today.adding(days: promised),
                steps: [ApplicationStep(status: .submitted, at: at)])
            return ApplicationDraft(record: record, applicant: SealedApplicant(name: Data([1]), idNumber: Data([2]), phone: Data([3]),
                                                                              idHash: "h-\(number)", masked: masked),
                                    lookupHash: "l-\(number)")
        }
        // Three in Nanjing promised 3, 1 and 2 days ago (submitted in that order), one in Wuxi, one not yet due, and one
        // more in Wuxi submitted at the same moment as the last.
        let drafts = [application("SQ20270115AAAAAAAAA1", "320102", promised: -3, submitted: 0),
                      application("SQ20270115AAAAAAAAA2", "320102002", promised: -1, submitted: 1),
                      application("SQ20270115AAAAAAAAA3", "3201", promised: -2, submitted: 2),
                      application("SQ20270115AAAAAAAAA4", "3202", promised: -5, submitted: 3),
                      application("SQ20270115AAAAAAAAA5", "320102", promised: 5, submitted: 4),
                      application("SQ20270115AAAAAAAAA6", "3202", promised: 5, submitted: 4)]  // submitted with A5: a tie
        for draft in drafts {
            try await store.insertApplication(draft, event: .application(.applicationUpdated, draft.record, at: draft.record.submittedAt))
        }
        let stored = try await store.application(number: drafts[0].record.number)
        try check(stored?.record == drafts[0].record && stored?.lookupHash == "l-SQ20270115AAAAAAAAA1" && stored?.failedLookups == 0,
                  "an application comes back exactly")
        try check(try await store.application(number: "SQ20270115AAAAAAAAA9") == nil, "an unknown number finds nothing")
        let newestFirst = drafts.reversed().map(\.record.number)
        try check(try await store.applications(owner: owner, after: nil, limit: 100).map(\.number) == newestFirst,
                  "a citizen's list is newest first, the greater number first in a tie")
        // Page by page, one at a time: each resumes exactly after the last one shown, through the tie.
        var walked: [String] = []
        while let next = try await store.applications(owner: owner, after: walked.last, limit: 1).first { walked.append(next.number) }
        try check(walked == newestFirst, "pages of one follow the list exactly: \(walked)")
        try check(try await store.applications(owner: owner, after: newestFirst[2], limit: 100).map(\.number) == Array(newestFirst.dropFirst(3)),
                  "a page starts after its cursor's application")
        try check(try await store.applications(owner: BookingOwner(clientID: 8, subject: "openid-1"), after: nil, limit: 100).isEmpty,
                  "another app's citizen of the same id sees nothing")
        let nanjing = DivisionCode("3201")!
        try check(Set(try await store.applications(under: nanjing, status: nil, overdueOn: nil, after: nil, limit: 100).map(\.number))
                    == Set([0, 1, 2, 4].map { drafts[$0].record.number }),
                  "a division's list holds the division and everything under it, nothing beside it")
        let overdue = try await store.applications(under: nanjing, status: nil, overdueOn: today, after: nil, limit: 2).map(\.number)
        try check(overdue == ["SQ20270115AAAAAAAAA1", "SQ20270115AAAAAAAAA3"], "the overdue list is the oldest promise first, also when cut: \(overdue)")
        var overduePages: [String] = []
        while let next = try await store.applications(under: nanjing, status: nil, overdueOn: today, after: overduePages.last, limit: 1).first {
            overduePages.append(next.number)
        }
        try check(overduePages == ["SQ20270115AAAAAAAAA1", "SQ20270115AAAAAAAAA3", "SQ20270115AAAAAAAAA2"],
                  "the overdue list pages in its own order: \(overduePages)")
        try check(try await store.applications(under: nanjing, status: nil, overdueOn: nil, after: "SQ20270115AAAAAAAAA4", limit: 100).isEmpty,
                  "a cursor naming an application outside the list (Wuxi's) starts an empty page")

        var accepted = drafts[0].record
        accepted.status = .accepted
        accepted.steps.append(ApplicationStep(status: .accepted, at: now.addingTimeInterval(60)))
        let audit = AuditRecord(staffID: staffID, action: "application.accepted", target: "application:\(accepted.number)", at: now)
        let event = OutboxEvent.application(.applicationUpdated, accepted, at: now)
        try check(try await store.updateApplication(accepted, expecting: .submitted, event: event, audit: audit), "a step from the expected status is taken")
        try check(try await !store.updateApplication(accepted, expecting: .submitted, event: event, audit: audit), "the same step again is not")
        try check(try await store.application(number: accepted.number)?.record == accepted, "the step is stored with its timeline")
        try check(try await store.applications(under: nanjing, status: .accepted, overdueOn: nil, after: nil, limit: 100).map(\.number) == [accepted.number],
                  "the list filters by status")

        let first = try await store.noteOverdue(today: today, limit: 1) { .application(.applicationOverdue, $0, at: now) }
        try check(first.map(\.number) == ["SQ20270115AAAAAAAAA4"], "a sweep stops at its limit, the oldest promise first: \(first.map(\.number))")
        let noted = try await store.noteOverdue(today: today, limit: 100) { .application(.applicationOverdue, $0, at: now) }
        try check(noted.map(\.number) == ["SQ20270115AAAAAAAAA1", "SQ20270115AAAAAAAAA2", "SQ20270115AAAAAAAAA3"],
                  "every other undecided application past its promise is reported: \(noted.map(\.number))")
        try check(try await store.noteOverdue(today: today, limit: 100) { .application(.applicationOverdue, $0, at: now) }.isEmpty,
                  "and only once")

        let number = drafts[1].record.number, windowStart = now.addingTimeInterval(-86_400)
        for expected in 1...3 {
            try check(try await store.countLookUp(number: number, at: now, windowStart: windowStart)?.failedLookups == expected, "look-ups are counted")
        }
        let later = now.addingTimeInterval(90_000)
        let fresh = try await store.countLookUp(number: number, at: later, windowStart: later.addingTimeInterval(-86_400))
        try check(fresh?.failedLookups == 1 && fresh?.failedLookupsSince == later, "a count older than the window starts again")
        let again = later.addingTimeInterval(30)
        try check(try await store.countLookUp(number: number, at: again, windowStart: again.addingTimeInterval(-86_400))?.failedLookups == 2,
                  "look-ups within the window add up")
        try await store.uncountLookUp(number: number)
        try check(try await store.application(number: number)?.failedLookups == 1, "a right look-up is taken off the count; the wrong one stays")
        let next = later.addingTimeInterval(60)
        let counted = try await store.countLookUp(number: number, at: next, windowStart: next.addingTimeInterval(-86_400))
        try check(counted?.failedLookups == 2 && counted?.failedLookupsSince == later, "and so does its window")
        try await store.uncountLookUp(number: number)
        try await store.uncountLookUp(number: number)
        let after = later.addingTimeInterval(120)
        let restarted = try await store.countLookUp(number: number, at: after, windowStart: after.addingTimeInterval(-86_400))
        try check(restarted?.failedLookups == 1 && restarted?.failedLookupsSince == after,
                  "with no wrong look-up left, the next one starts a new window")
        try check(try await store.countLookUp(number: "SQ20270115AAAAAAAAA9", at: now, windowStart: windowStart) == nil, "no count for no application")
    }
}
