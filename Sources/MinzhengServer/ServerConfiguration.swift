import Foundation
import Logging
import MinzhengCore
import MinzhengNotify
import MinzhengPostgres

/// Everything the server reads from its environment, in one place, with the defaults of a developer machine.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Where the SQLite file and generated secrets live.
    public var dataDirectory: URL
    /// `MINZHENG_DATABASE_URL=postgres://user:password@host:port/database`: PostgreSQL instead of the SQLite file.
    public var databaseURL: String?
    /// The PostgreSQL schema to work in (`MINZHENG_DATABASE_SCHEMA`; tests give each run its own); nil: the user's default.
    public var databaseSchema: String?
    /// Where look-up searches run (`MINZHENG_SEARCH`): `memory`, the default, in each process's catalogues (the
    /// fastest, docs/benchmarks.md); or `database`, PostgreSQL's trigram, grams and GiST indexes (matches read from
    /// the database's data, free beds as reported a moment ago; it needs `MINZHENG_DATABASE_URL`).
    public var searchInDatabase = false
    /// `MINZHENG_SEARCH_DATABASE_URL`: where searches in the database go, a read replica of `databaseURL` (same
    /// schema); nil: the database itself.
    public var searchDatabaseURL: String?
    /// Where the seed CSV files are read from.
    public var seedDirectory: URL
    public var logLevel: Logger.Level
    /// Serve the directory look-ups from pre-encoded JSON (`DirectoryRoutes`) rather than the generated
    /// handlers. Always on in service; tests turn it off to compare both.
    public var renderedLookups = true
    /// Base64 of the 32-byte master key for personal data (`MINZHENG_SECRET_KEY`); nil: a key file in the data directory.
    public var secretKey: String?
    /// How many bookings are worked on at once (`MINZHENG_CONCURRENT_BOOKINGS`); the rest wait their turn.
    public var concurrentBookings = 8
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes = 64 * 1024
    /// The longest path and query accepted (414 beyond), and the most header bytes (431 beyond).
    public var maxURIBytes = 4096
    public var maxHeaderBytes = 16 * 1024
    /// A connection that sends nothing for this long, mid-request or between requests, is closed
    /// (`MINZHENG_IDLE_TIMEOUT_SECONDS`).
    public var idleTimeout: Int64 = 30
    /// A request must arrive whole (headers and body) within this many seconds of its first line, or its
    /// connection is closed (`MINZHENG_REQUEST_READ_TIMEOUT_SECONDS`): no slow-drip client holds one for ever.
    public var requestReadTimeout: Int64 = 30
    /// Request rates per app, citizen, staff member and address, and booking attempts per citizen and ID number.
    public var rateLimits = RateLimits()
    /// How often the running service looks for data imported by `minzheng import`.
    public var reloadInterval: Duration = .seconds(5)
    /// Run the delivery worker inside `serve` (`MINZHENG_NOTIFY_WORKER=off` leaves it to `minzheng notify-worker`).
    public var notifyWorker = true
    /// `MINZHENG_NOTIFY_ALLOW_PRIVATE=1`: webhooks may use http and private or loopback addresses. Local testing only.
    public var notifyAllowPrivate = false
    /// Reminder time the day before (`MINZHENG_REMINDER_TIME`, HH:MM) and the nearly-full share
    /// (`MINZHENG_NEARLY_FULL_SHARE`, 0 to 1).
    public var notifyPolicy = NotifyPolicy()
    /// The booking rules that vary by province: the no-show bar (`MINZHENG_NO_SHOW_RULE`, `2/30/15`: two no-shows
    /// within 30 days bar new bookings for 15 days; Guangdong's is longer).
    public var bookingRules = BookingRules()
    /// How often high-demand days' draws are looked for (nil: never, for tests that run them by hand).
    public var drawInterval: Duration? = .seconds(1)
    /// How often applications past their promised date are looked for (nil: never, for tests that run it by hand).
    public var overdueInterval: Duration? = .seconds(300)
    /// The worker's batch size, lanes, lease and timeouts.
    public var delivery = DeliveryWorker.Options()

    public init(host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL, seedDirectory: URL,
                logLevel: Logger.Level = .info) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.seedDirectory = seedDirectory
        self.logLevel = logLevel
    }

    /// Reads `MINZHENG_HOST`, `MINZHENG_PORT`, `MINZHENG_DATA_DIR`, `MINZHENG_SEED_DIR`, `MINZHENG_LOG_LEVEL`,
    /// `MINZHENG_SECRET_KEY`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let port = value("MINZHENG_PORT") ?? "8080"
        guard let portNumber = Int(port), (0...65535).contains(portNumber) else {
            throw ConfigurationError("MINZHENG_PORT must be a port number, not \(port)")
        }
        let level = value("MINZHENG_LOG_LEVEL") ?? "info"
        guard let logLevel = Logger.Level(rawValue: level.lowercased()) else {
            throw ConfigurationError("MINZHENG_LOG_LEVEL must be one of \(Logger.Level.allCases.map(\.rawValue))")
        }
        self.init(
            host: value("MINZHENG_HOST") ?? "127.0.0.1",
            port: portNumber,
            dataDirectory: URL(fileURLWithPath: value("MINZHENG_DATA_DIR") ?? "./data"),
            seedDirectory: URL(fileURLWithPath: value("MINZHENG_SEED_DIR") ?? "./seed-data"),
            logLevel: logLevel)
        secretKey = value("MINZHENG_SECRET_KEY")
        databaseURL = value("MINZHENG_DATABASE_URL")
        databaseSchema = value("MINZHENG_DATABASE_SCHEMA")
        if let schema = databaseSchema, !PostgresDatabase.isPlainName(schema) {
            throw ConfigurationError("MINZHENG_DATABASE_SCHEMA must be lower-case letters, digits and _, starting with a letter or _")
        }
        if let url = databaseURL, let problem = PostgresDatabase.unsupported(url: url) { throw ConfigurationError(problem) }
        switch value("MINZHENG_SEARCH") {
        case nil, "memory": searchInDatabase = false
        case "database":
            guard databaseURL != nil else { throw ConfigurationError("MINZHENG_SEARCH=database needs MINZHENG_DATABASE_URL (SQLite searches in memory)") }
            searchInDatabase = true
        case let other?: throw ConfigurationError("MINZHENG_SEARCH must be memory or database, not \(other)")
        }
        if let url = value("MINZHENG_SEARCH_DATABASE_URL") {
            guard searchInDatabase else { throw ConfigurationError("MINZHENG_SEARCH_DATABASE_URL is used only with MINZHENG_SEARCH=database") }
            if let problem = PostgresDatabase.unsupported(url: url) { throw ConfigurationError(problem) }
            searchDatabaseURL = url
        }
        if let text = value("MINZHENG_CONCURRENT_BOOKINGS") {
            guard let limit = Int(text), limit >= 1 else { throw ConfigurationError("MINZHENG_CONCURRENT_BOOKINGS must be a positive number") }
            concurrentBookings = limit
        }
        if let text = value("MINZHENG_NOTIFY_WORKER") {
            guard let on = Self.switchValue(text) else { throw ConfigurationError("MINZHENG_NOTIFY_WORKER must be on or off") }
            notifyWorker = on
        }
        if let text = value("MINZHENG_NOTIFY_ALLOW_PRIVATE") {
            guard let on = Self.switchValue(text) else { throw ConfigurationError("MINZHENG_NOTIFY_ALLOW_PRIVATE must be 1 or 0") }
            notifyAllowPrivate = on
        }
        if let text = value("MINZHENG_REMINDER_TIME") {
            let parts = text.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else {
                throw ConfigurationError("MINZHENG_REMINDER_TIME must be HH:MM, not \(text)")
            }
            notifyPolicy.reminderMinuteOfDay = parts[0] * 60 + parts[1]
        }
        if let text = value("MINZHENG_NO_SHOW_RULE") {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.count == 3, let count = parts[0], let window = parts[1], let bar = parts[2],
                  (1...100).contains(count), (1...3650).contains(window), (1...3650).contains(bar) else {
                throw ConfigurationError("MINZHENG_NO_SHOW_RULE must be NO_SHOWS/WITHIN_DAYS/BAR_DAYS such as 2/30/15, not \(text)")
            }
            (bookingRules.noShowCount, bookingRules.noShowWindowDays, bookingRules.barDays) = (count, window, bar)
        }
        if let text = value("MINZHENG_NEARLY_FULL_SHARE") {
            guard let share = Double(text), share > 0, share <= 1 else { throw ConfigurationError("MINZHENG_NEARLY_FULL_SHARE must be in (0, 1]") }
            notifyPolicy.nearlyFullShare = share
        }
        if let text = value("MINZHENG_NOTIFY_LEASE_SECONDS") {
            guard let seconds = Double(text), seconds >= 1 else { throw ConfigurationError("MINZHENG_NOTIFY_LEASE_SECONDS must be at least 1") }
            delivery.lease = seconds
        }
        if let text = value("MINZHENG_NOTIFY_LANES") {
            guard let lanes = Int(text), (1...64).contains(lanes) else { throw ConfigurationError("MINZHENG_NOTIFY_LANES must be 1 to 64") }
            delivery.lanes = lanes
        }
        if let text = value("MINZHENG_NOTIFY_BATCH") {
            guard let batch = Int(text), (1...5000).contains(batch) else { throw ConfigurationError("MINZHENG_NOTIFY_BATCH must be 1 to 5000") }
            delivery.batchSize = batch
        }
        delivery.transport.allowPrivate = notifyAllowPrivate
        if let text = value("MINZHENG_REQUEST_READ_TIMEOUT_SECONDS") {
            guard let seconds = Int64(text), (1...3600).contains(seconds) else { throw ConfigurationError("MINZHENG_REQUEST_READ_TIMEOUT_SECONDS must be 1 to 3600") }
            requestReadTimeout = seconds
        }
        if let text = value("MINZHENG_IDLE_TIMEOUT_SECONDS") {
            guard let seconds = Int64(text), (1...3600).contains(seconds) else { throw ConfigurationError("MINZHENG_IDLE_TIMEOUT_SECONDS must be 1 to 3600") }
            idleTimeout = seconds
        }
        try rateLimits.read(value)
    }

    static func switchValue(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "on", "true", "yes": true
        case "0", "off", "false", "no": false
        default: nil
        }
    }

    public var databasePath: String { dataDirectory.appendingPathComponent("minzheng.sqlite").path }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// How fast one caller may go. Requests are counted per app (its key and its citizens' sessions), per citizen
/// (within the app's), per staff member, and per address for anonymous callers; over the limit they are answered
/// 429 with `Retry-After`, and nobody else waits. Booking attempts are counted per citizen and per ID number on top.
/// In memory, per process (docs/deploy.md).
public struct RateLimits: Sendable {
    /// `MINZHENG_RATE_LIMITS=off` turns the request rates off (load tests); booking attempts stay counted.
    public var requests = true
    /// `MINZHENG_RATE_LIMIT_CLIENT`: one app carries all its citizens' traffic; a province's app on 5.20 sends
    /// a few thousand requests a second at its peak, and one process serves about that much.
    public var perClient = TokenBuckets.Limit(perSecond: 5000, burst: 5000)
    /// `MINZHENG_RATE_LIMIT_CITIZEN`: one citizen's session, within their app's rate.
    public var perCitizen = TokenBuckets.Limit(perSecond: 20, burst: 40)
    /// `MINZHENG_RATE_LIMIT_STAFF`: a clerk's screen, with room for a script that checks in a morning's couples.
    public var perStaff = TokenBuckets.Limit(perSecond: 50, burst: 50)
    /// `MINZHENG_RATE_LIMIT_ADDRESS`: anonymous look-ups from one address (many phones share one behind a carrier's NAT).
    public var perAddress = TokenBuckets.Limit(perSecond: 100, burst: 100)
    /// `MINZHENG_BOOKING_ATTEMPTS` ("20/min", or off).
    public var bookingAttempts: TokenBuckets.Limit? = BookingAttemptLimit.standard
    /// `MINZHENG_APPLICATION_LOOKUPS` ("20/h", or off): anonymous application look-ups per address and per number.
    public var applicationLookups: TokenBuckets.Limit? = ApplicationLookupLimit.standard

    public init() {}

    mutating func read(_ value: (String) -> String?) throws {
        if let text = value("MINZHENG_RATE_LIMITS") {
            guard let on = ServerConfiguration.switchValue(text) else { throw ConfigurationError("MINZHENG_RATE_LIMITS must be on or off") }
            requests = on
        }
        func limit(_ name: String) throws -> TokenBuckets.Limit? {
            guard let text = value(name) else { return nil }
            guard let limit = TokenBuckets.Limit(text) else { throw ConfigurationError("\(name) must look like 20/s, 30/min or 600/h, not \(text)") }
            return limit
        }
        if let limit = try limit("MINZHENG_RATE_LIMIT_CLIENT") { perClient = limit }
        if let limit = try limit("MINZHENG_RATE_LIMIT_CITIZEN") { perCitizen = limit }
        if let limit = try limit("MINZHENG_RATE_LIMIT_STAFF") { perStaff = limit }
        if let limit = try limit("MINZHENG_RATE_LIMIT_ADDRESS") { perAddress = limit }
        /// A limit that may be switched off: nil when unset, .some(nil) for off.
        func optionalLimit(_ name: String, example: String) throws -> TokenBuckets.Limit?? {
            guard let text = value(name) else { return nil }
            if ServerConfiguration.switchValue(text) == false { return .some(nil) }
            guard let limit = TokenBuckets.Limit(text) else { throw ConfigurationError("\(name) must look like \(example), or off") }
            return limit
        }
        if let limit = try optionalLimit("MINZHENG_BOOKING_ATTEMPTS", example: "20/min") { bookingAttempts = limit }
        if let limit = try optionalLimit("MINZHENG_APPLICATION_LOOKUPS", example: "20/h") { applicationLookups = limit }
    }
}
