import Foundation
import HTTPTypes
import HummingbirdTesting
import MinzhengCore
import MinzhengServer
import MinzhengTesting
import Testing

/// Nothing lost, nothing sent twice under one id: a thousand real bookings over HTTP, and a worker process
/// killed with SIGKILL in the middle of a batch.
@Suite struct NotifyDurabilityTests {
    @Test func everyEventOfAThousandBookingsIsDeliveredOncePerSubscription() async throws {
        // The receiver answers every request, and the worlds' ten-second reply timeout means a loaded machine
        // cannot turn a slow answer into a resend: every request counts.
        try await withNotifyWorld(live: true) { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            let office = try await world.addWebhook("webhook", url: receiver.url("hook", "office"), events: ["booking.confirmed"], token: manager)
            receiver.setSecret("office", try #require(office.secret))
            let app = try await world.setClientWebhook(url: receiver.url("hook", "app"), events: ["booking.confirmed"])
            receiver.setSecret("app", try #require(app.secret))
            let date = try await world.bookableDay()
            #expect(try await world.setCapacity(180, date: date, period: nil, token: manager).status == .noContent)
            let tokens = try await (0..<8).asyncMap { try await world.citizen("thousand-\($0)") }
            let periods = ["09:00", "10:00", "11:00", "14:00", "15:00", "16:00"]

            // 1,100 attempts race for 1,080 places: the twenty refused must leave no event behind. 64 in flight at
            // once (each of 64 senders takes every 64th couple): a real race, and no request waits behind a
            // thousand others long enough for the client's timeout on a loaded machine.
            let outcomes = try await withThrowingTaskGroup(of: [(Int, String?)].self) { group in
                for sender in 0..<64 {
                    group.addTask {
                        var outcomes: [(Int, String?)] = []
                        for n in stride(from: sender, to: 1100, by: 64) {
                            let response = try await world.book(world.bookingJSON(date: date, period: periods[n % 6], couple: 20_000 + n),
                                                                token: tokens[n % tokens.count])
                            outcomes.append((Int(response.status.code), response.status == .created ? try response.decode(BookingBody.self).id : nil))
                        }
                        return outcomes
                    }
                }
                return try await group.reduce(into: [(Int, String?)]()) { $0 += $1 }
            }
            let booked = Set(outcomes.compactMap(\.1))
            #expect(booked.count == 1080)
            #expect(outcomes.filter { $0.0 == 409 }.count == 20)

            let receipts = try await receiver.wait(seconds: 60) { receipts in
                Set(receipts.filter { $0.robot == "office" }.compactMap(\.webhookID)).count >= 1080
                    && Set(receipts.filter { $0.robot == "app" }.compactMap(\.webhookID)).count >= 1080
            }
            try await Task.sleep(for: .milliseconds(300))
            for robot in ["office", "app"] {
                let got = receiver.receipts(robot)
                #expect(got.count == 1080, "\(robot): \(got.count) requests")
                #expect(Set(got.compactMap(\.webhookID)).count == 1080)
                #expect(got.allSatisfy { $0.signatureValid == true })
                let bookingIDs = Set(got.compactMap { receipt -> String? in
                    let event = try? JSONSerialization.jsonObject(with: receipt.body) as? [String: Any]
                    return (event?["data"] as? [String: Any])?["booking_id"] as? String
                })
                #expect(bookingIDs.symmetricDifference(booked).isEmpty, "\(robot): every booking has exactly its event")
            }
            #expect(receipts.count >= 2160)
        }
    }

    @Test func aWorkerKilledMidBatchLosesNothing() async throws {
        try await withNotifyWorld(worker: false) { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            let hook = try await world.addWebhook("webhook", url: receiver.url("hook", "k"), events: ["booking.confirmed"], token: manager)
            receiver.setSecret("k", try #require(hook.secret))
            // Slow replies keep a batch in flight long enough to kill the worker inside it.
            receiver.setDelay("k", milliseconds: 150)
            let date = try await world.bookableDay()
            #expect(try await world.setCapacity(60, date: date, period: nil, token: manager).status == .noContent)
            let made = try await world.bookMany(300, first: 30_000, date: date, token: try await world.citizen("kill-1"))
            let booked = Set(made.map(\.id))

            let first = try WorkerProcess.start(world.configuration)
            _ = try await receiver.wait(seconds: 60) { $0.count >= 100 }
            first.kill(SIGKILL)
            try await Task.sleep(for: .milliseconds(300))
            let beforeRestart = Set(receiver.receipts.compactMap(\.webhookID)).count
            #expect(beforeRestart >= 100 && beforeRestart < 300, "killed after \(beforeRestart) of 300")

            let second = try WorkerProcess.start(world.configuration)
            defer { second.kill(SIGTERM) }
            let receipts = try await receiver.wait(seconds: 60) { Set($0.compactMap(\.webhookID)).count >= 300 }
            let ids = Set(receipts.compactMap(\.webhookID))
            #expect(ids.count == 300)
            let bookingIDs = Set(receipts.compactMap { receipt -> String? in
                let event = try? JSONSerialization.jsonObject(with: receipt.body) as? [String: Any]
                return (event?["data"] as? [String: Any])?["booking_id"] as? String
            })
            #expect(bookingIDs.symmetricDifference(booked).isEmpty)
            #expect(receipts.allSatisfy { $0.signatureValid == true })
            // Whatever was in flight when it died went again under the same webhook-id: at most one batch.
            #expect(receipts.count - ids.count <= 256)
            try await eventually(seconds: 20) {
                try await world.services.storage.notifications.deliveries(subscriptionIDs: [hook.id], status: .delivered, limit: 1000).count == 300
            }
        }
    }
}

/// `minzheng notify-worker` as a separate process on the test's data directory.
struct WorkerProcess {
    let process: Process

    static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("minzheng")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/minzheng")
    }

    static func start(_ configuration: ServerConfiguration) throws -> WorkerProcess {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["notify-worker"]
        process.environment = [
            "MINZHENG_DATA_DIR": configuration.dataDirectory.path,
            "MINZHENG_SEED_DIR": configuration.seedDirectory.path,
            "MINZHENG_NOTIFY_ALLOW_PRIVATE": "1",
            // Short, so the restarted worker soon takes over what the killed one held; longer than a slow batch
            // takes on a loaded machine, or the worker's own lanes would take back deliveries still in flight.
            "MINZHENG_NOTIFY_LEASE_SECONDS": "4",
            "MINZHENG_LOG_LEVEL": "error",
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
        // On PostgreSQL the worker works in the test's own schema.
        if let url = configuration.databaseURL { process.environment?["MINZHENG_DATABASE_URL"] = url }
        if let schema = configuration.databaseSchema { process.environment?["MINZHENG_DATABASE_SCHEMA"] = schema }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return WorkerProcess(process: process)
    }

    func kill(_ signal: Int32) {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }
}
