import ArgumentParser
import Foundation
import MinzhengCore
import MinzhengServer

struct Clients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API clients (app backends).", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a client and print its key once (only its hash is kept).")
        @Option(help: "The app's name, e.g. 江苏政务服务.") var name: String

        func run() async throws {
            let (configuration, logger) = try startup("minzheng.clients")
            let services = try await Services.start(configuration, logger: logger)
            let (client, key) = try await services.identity.createClient(name: name)
            FileHandle.standardError.write(Data("client \(client.id) \(client.name): keep this key, it is not shown again\n".utf8))
            print(key)
        }
    }
}

struct Staff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage staff accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a staff member; the password is read from standard input.")
        @Option(help: "Log-in name.") var username: String
        @Option(help: "clerk, manager or admin.") var role: String
        @Option(help: "The division code the member works for, e.g. 3201.") var division: String

        func run() async throws {
            guard let role = StaffRole(rawValue: role) else { throw ValidationError("--role must be clerk, manager or admin") }
            guard let division = DivisionCode(division) else { throw ValidationError("--division must be a division code") }
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw ValidationError("give the password on standard input")
            }
            let (configuration, logger) = try startup("minzheng.staff")
            let services = try await Services.start(configuration, logger: logger)
            let member = try await services.identity.createStaff(username: username, password: password, role: role, division: division)
            print("staff \(member.id) \(member.username) \(member.role.rawValue) \(member.division)")
        }
    }
}

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the staff audit log.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit log's hash chain; exit 1 naming each row that was edited, deleted or inserted.")

        func run() async throws {
            let (configuration, logger) = try startup("minzheng.audit")
            let storage = try await Storage.open(configuration, logger: logger)
            let walked: Result<AuditChain.Walk, any Error>
            do { walked = .success(try await storage.audit.walkTrail()) } catch { walked = .failure(error) }
            await storage.close()
            let walk = try walked.get()
            for item in walk.breaks { print(item) }
            guard walk.breaks.isEmpty else {
                print("audit chain BROKEN: \(walk.breaks.count) problem(s) in \(walk.rows) rows")
                throw ExitCode(1)
            }
            // The head hash: kept elsewhere (printed daily, say), it also shows when the newest rows were deleted.
            print("audit chain intact: \(walk.rows) rows, head \(walk.head)")
        }
    }
}

struct Catalogue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the service catalogue.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare every level's type, name, code and legal basis with the province's (三级四同); exit 1 naming each drift.")

        func run() async throws {
            let (configuration, logger) = try startup("minzheng.catalogue")
            let storage = try await Storage.open(configuration, logger: logger)
            let data = try await storage.serviceCatalogue.serviceCatalogue()
            await storage.close()
            let drifts = CatalogueDrift.find(items: data.items, publications: data.publications)
            for drift in drifts { print(drift) }
            guard drifts.isEmpty else {
                print("catalogue DRIFTS: \(drifts.count) difference(s) between levels")
                throw ExitCode(1)
            }
            let levels = Set(data.publications.map(\.division)).count
            print("catalogue consistent: \(data.items.count) items published by \(levels) levels (\(data.publications.count) publications)")
        }
    }
}
