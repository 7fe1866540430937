import CCurl
import Foundation
import MinzhengCore
import Synchronization

/// One HTTP POST to send.
public struct OutgoingRequest: Sendable {
    public let url: String
    public let headers: [String]
    public let body: Data

    public init(url: String, headers: [String], body: Data) {
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What came back: an HTTP reply, or the transport error that stopped it.
public struct TransportReply: Sendable {
    public let status: Int?
    public let body: Data
    /// `Retry-After` in seconds, when the receiver sent one.
    public let retryAfter: TimeInterval?
    /// The libcurl error, when there was no reply.
    public let error: String?
    /// The request's address was refused when connecting (a private or loopback address).
    public let refusedAddress: Bool
    /// A timeout came after the whole body had gone out: the receiver may have taken it.
    public let timedOutAfterSending: Bool
    public let milliseconds: Int
}

/// POSTs with libcurl's multi interface from one thread of its own (never the Swift concurrency pool): many
/// requests in flight, connections kept and reused, explicit connect and total timeouts, no signals, no
/// redirects, no proxies from the environment. Unless private addresses are allowed, a transfer whose
/// connection lands on a non-public address is aborted before anything is sent (`CURLOPT_PREREQFUNCTION`),
/// which also defeats a DNS answer that changed since the webhook was registered.
public final class CurlTransport: Sendable {
    public struct Options: Sendable {
        public var connectTimeoutMilliseconds = 3_000
        public var totalTimeoutMilliseconds = 10_000
        public var maxConnectionsPerHost = 64
        /// `MINZHENG_NOTIFY_ALLOW_PRIVATE=1`: http and private addresses (local testing only).
        public var allowPrivate = false
        /// The schemes libcurl may use: `https`, and `http` too when private addresses are allowed.
        public var protocols: String?

        public init() {}
    }

    private struct Job: Sendable {
        let request: OutgoingRequest
        let complete: @Sendable (TransportReply) -> Void
    }

    private struct Shared {
        var queue: [Job] = []
        var running = true
    }

    private let loop: Loop
    private let stopped = DispatchSemaphore(value: 0)

    public init(options: Options = Options()) {
        CurlGlobal.initialise()
        loop = Loop(options: options)
        let thread = Thread { [loop, stopped] in
            mz_name_this_thread("minzheng-curl")
            loop.run()
            stopped.signal()
        }
        thread.start()
    }

    /// Sends every request at once and answers in the same order when all are done.
    public func send(_ requests: [OutgoingRequest]) async -> [TransportReply] {
        guard !requests.isEmpty else { return [] }
        let collector = Collector(count: requests.count)
        return await withCheckedContinuation { continuation in
            collector.onDone = { continuation.resume(returning: $0) }
            let jobs = requests.enumerated().map { index, request in
                Job(request: request, complete: { reply in collector.set(index, reply) })
            }
            let accepted = loop.shared.withLock { state in
                guard state.running else { return false }
                state.queue.append(contentsOf: jobs)
                return true
            }
            if accepted {
                loop.wake()
            } else {
                for job in jobs { job.complete(Loop.failure("transport stopped", milliseconds: 0)) }
            }
        }
    }

    /// Stops the thread after failing what is still queued or in flight.
    public func shutdown() {
        let wasRunning = loop.shared.withLock { state in
            defer { state.running = false }
            return state.running
        }
        guard wasRunning else { return }
        loop.wake()
        stopped.wait()
    }

    deinit { shutdown() }

    /// `user@host:port` of a URL, as written: requests with the same one share connections (libcurl still keeps
    /// its own per-host limit if two spellings name one host).
    static func host(of url: String) -> String {
        let bytes = url.utf8
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes[colon...].starts(with: "://".utf8) else { return url }
        let from = bytes.index(colon, offsetBy: 3)
        let to = bytes[from...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.endIndex
        return String(url[from..<to])
    }

    /// Gathers replies in order; the last one in resumes the caller.
    private final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var replies: [TransportReply?]
        private var left: Int
        var onDone: (@Sendable ([TransportReply]) -> Void)?

        init(count: Int) {
            replies = Array(repeating: nil, count: count)
            left = count
        }

        func set(_ index: Int, _ reply: TransportReply) {
            lock.lock()
            replies[index] = reply
            left -= 1
            let done = left == 0 ? replies.compactMap { $0 } : nil
            let callback = onDone
            lock.unlock()
            if let done { callback?(done) }
        }
    }

    /// Everything the curl thread owns. Only `wake` is called from other threads (`curl_multi_wakeup` is
    /// the one multi call that may be).
    private final class Loop: @unchecked Sendable {
        /// The queue of new requests and the running flag: the only state other threads touch.
        let shared = Mutex(Shared())
        private let multi: UnsafeMutableRawPointer
        private let options: Options
        private var idle: [UnsafeMutableRawPointer] = []

        init(options: Options) {
            self.options = options
            multi = curl_multi_init()
            _ = mz_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.maxConnectionsPerHost)
            _ = mz_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, options.maxConnectionsPerHost * 4)
        }

        func wake() { curl_multi_wakeup(multi) }

        /// Transfers libcurl is running, by easy handle.
        private var inFlight: [UnsafeMutableRawPointer: Transfer] = [:]
        /// How many of those go to each host, and the requests waiting for one of that host's connections.
        /// libcurl is given at most `maxConnectionsPerHost` transfers per host: more would wait in its own
        /// pending list, where each is tried for a connection again every time one frees (measured: the
        /// libcurl thread took a fifth to a third more CPU per request with 1,024 requests for one host). Over
        /// HTTP/2 this caps the streams to a host at the same number, where libcurl could multiplex more.
        private var running: [String: Int] = [:]
        private var waiting: [String: FIFO<Transfer>] = [:]

        func run() {
            while true {
                let (jobs, open) = shared.withLock { state in
                    defer { state.queue.removeAll(keepingCapacity: true) }
                    return (state.queue, state.running)
                }
                guard open else {
                    for job in jobs { job.complete(Self.failure("transport stopped", milliseconds: 0)) }
                    for (easy, transfer) in inFlight {
                        curl_multi_remove_handle(multi, easy)
                        curl_easy_cleanup(easy)
                        transfer.finish(Self.failure("transport stopped", milliseconds: transfer.elapsed))
                    }
                    for var queue in waiting.values {
                        while let transfer = queue.pop() { transfer.finish(Self.failure("transport stopped", milliseconds: transfer.elapsed)) }
                    }
                    for easy in idle { curl_easy_cleanup(easy) }
                    curl_multi_cleanup(multi)
                    return
                }
                for job in jobs { admit(Transfer(job: job)) }
                var active: Int32 = 0
                curl_multi_perform(multi, &active)
                var left: Int32 = 0
                while let message = curl_multi_info_read(multi, &left) {
                    guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                    let code = message.pointee.data.result
                    curl_multi_remove_handle(multi, easy)
                    idle.append(easy)
                    guard let transfer = inFlight.removeValue(forKey: easy) else { continue }
                    transfer.finish(reply(easy, code, transfer))
                    release(transfer.host)
                }
                curl_multi_poll(multi, nil, 0, 1000, nil)
            }
        }

        /// Transfers per host handed to libcurl at once; 0 or less is libcurl's "no limit".
        private var perHost: Int { options.maxConnectionsPerHost > 0 ? options.maxConnectionsPerHost : .max }

        /// Hands the transfer to libcurl if its host has a connection to spare, else queues it for that host.
        private func admit(_ transfer: Transfer) {
            if running[transfer.host, default: 0] < perHost {
                launch(transfer)
            } else {
                waiting[transfer.host, default: FIFO()].push(transfer)
            }
        }

        /// A transfer to `host` ended: the requests waiting for that host take its place.
        private func release(_ host: String) {
            running[host, default: 1] -= 1
            while running[host, default: 0] < perHost, let next = waiting[host]?.pop() { launch(next) }
            if waiting[host]?.isEmpty == true { waiting[host] = nil }
            if running[host] == 0 { running[host] = nil }
        }

        /// Starts the transfer, within what is left of its total timeout: time spent waiting for a connection
        /// counts, as it did when libcurl held the waiting requests.
        private func launch(_ transfer: Transfer) {
            let left = options.totalTimeoutMilliseconds - transfer.elapsed
            guard left > 0 else {
                transfer.finish(Self.failure("timed out waiting for a free connection to the receiver", milliseconds: transfer.elapsed))
                return
            }
            guard let easy = start(transfer, timeoutMilliseconds: left) else {
                transfer.finish(Self.failure("could not start the request", milliseconds: transfer.elapsed))
                return
            }
            inFlight[easy] = transfer
            running[transfer.host, default: 0] += 1
        }

        private func start(_ transfer: Transfer, timeoutMilliseconds: Int) -> UnsafeMutableRawPointer? {
            guard let easy = idle.popLast() ?? makeHandle() else { return nil }
            // Only what differs per request is set here: a handle keeps its other options between requests,
            // and setting them all again (or curl_easy_reset) costs more than the request's own work.
            let request = transfer.job.request
            _ = mz_easy_setopt_string(easy, CURLOPT_URL, request.url)
            _ = mz_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
            _ = mz_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            request.body.withUnsafeBytes { raw in
                _ = mz_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
            }
            var headers: UnsafeMutablePointer<curl_slist>?
            // "Expect:" stops curl waiting for a 100 Continue on larger bodies.
            for header in request.headers + ["Expect:"] { headers = curl_slist_append(headers, header) }
            transfer.headers = headers
            _ = mz_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headers)
            let context = Unmanaged.passUnretained(transfer).toOpaque()
            _ = mz_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
            _ = mz_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
            if !options.allowPrivate { _ = mz_easy_setopt_pointer(easy, CURLOPT_PREREQDATA, context) }
            guard curl_multi_add_handle(multi, easy) == CURLM_OK else {
                curl_slist_free_all(transfer.headers)
                transfer.headers = nil
                idle.append(easy)
                return nil
            }
            return easy
        }

        /// The header wanted from replies, lower case; made once, not for every header line of every reply.
        static let retryAfterName = Array("retry-after:".utf8)

        /// A new easy handle with the options every request shares.
        private func makeHandle() -> UnsafeMutableRawPointer? {
            guard let easy = curl_easy_init() else { return nil }
            _ = mz_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
            _ = mz_easy_setopt_long(easy, CURLOPT_POST, 1)
            _ = mz_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMilliseconds)
            _ = mz_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
            _ = mz_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, options.protocols ?? (options.allowPrivate ? "http,https" : "https"))
            _ = mz_easy_setopt_string(easy, CURLOPT_NOPROXY, "*")
            _ = mz_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
            _ = mz_easy_setopt_string(easy, CURLOPT_USERAGENT, "minzheng-notify/1")
            _ = mz_easy_setopt_write(easy, CURLOPT_WRITEFUNCTION, { data, size, count, context in
                guard let data, let context else { return 0 }
                let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
                let length = size * count
                // Replies are small JSON documents; more than 64 KiB of one is not read.
                if transfer.body.count < 65_536 { transfer.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length) }
                return length
            })
            _ = mz_easy_setopt_write(easy, CURLOPT_HEADERFUNCTION, { data, size, count, context in
                guard let data, let context else { return 0 }
                let length = size * count
                // Only Retry-After is wanted: look at the bytes before making a string of any header line.
                let line = UnsafeRawBufferPointer(start: data, count: length)
                let name = Loop.retryAfterName
                if length > name.count, zip(line.prefix(name.count), name).allSatisfy({ $0 | 0x20 == $1 }) {
                    let value = String(decoding: line.dropFirst(name.count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().retryAfter = RetryAfter.seconds(value)
                }
                return length
            })
            if !options.allowPrivate {
                _ = mz_easy_setopt_prereq(easy, { context, primary, _, _, _ in
                    guard let primary, let address = IPAddress(String(cString: primary)), address.isPublic else {
                        if let context { Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().refusedAddress = true }
                        return CURL_PREREQFUNC_ABORT
                    }
                    return CURL_PREREQFUNC_OK
                })
            }
            return easy
        }

        private func reply(_ easy: UnsafeMutableRawPointer, _ code: CURLcode, _ transfer: Transfer) -> TransportReply {
            let milliseconds = transfer.elapsed
            guard code == CURLE_OK else {
                var uploaded: curl_off_t = 0
                _ = mz_easy_getinfo_off(easy, CURLINFO_SIZE_UPLOAD_T, &uploaded)
                let message = String(cString: curl_easy_strerror(code))
                return TransportReply(status: nil, body: Data(), retryAfter: nil, error: "curl \(code.rawValue): \(message)",
                                      refusedAddress: transfer.refusedAddress,
                                      timedOutAfterSending: code == CURLE_OPERATION_TIMEDOUT && uploaded == transfer.job.request.body.count,
                                      milliseconds: milliseconds)
            }
            var status = 0
            _ = mz_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            return TransportReply(status: status, body: transfer.body, retryAfter: transfer.retryAfter, error: nil, refusedAddress: false,
                                  timedOutAfterSending: false, milliseconds: milliseconds)
        }

        static func failure(_ message: String, milliseconds: Int) -> TransportReply {
            TransportReply(status: nil, body: Data(), retryAfter: nil, error: message, refusedAddress: false, timedOutAfterSending: false,
                           milliseconds: milliseconds)
        }
    }

    /// One request's state on the curl thread.
    private final class Transfer {
        let job: Job
        /// The connection-sharing key: what lies between `://` and the path.
        let host: String
        let started = DispatchTime.now()
        var body = Data()
        var retryAfter: TimeInterval?
        var refusedAddress = false
        var headers: UnsafeMutablePointer<curl_slist>?

        init(job: Job) {
            self.job = job
            host = CurlTransport.host(of: job.request.url)
        }

        var elapsed: Int { Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000) }

        func finish(_ reply: TransportReply) {
            curl_slist_free_all(headers)
            headers = nil
            job.complete(reply)
        }
    }
}

/// A first-in, first-out queue that reuses its storage. A popped slot is cleared at once, so the queue does not
/// keep what it handed out alive (a waiting transfer holds its request and its batch's reply collector).
struct FIFO<Element> {
    private var items: [Element?] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    /// Slots held, popped ones included (compaction keeps this under about twice what is waiting, plus 1,024).
    var storedCount: Int { items.count }

    mutating func push(_ item: Element) { items.append(item) }

    mutating func pop() -> Element? {
        guard head < items.count else { return nil }
        let item = items[head].take()
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024, head * 2 >= items.count {
            items.removeFirst(head)  // a queue that never empties does not grow for ever
            head = 0
        }
        return item
    }
}

/// `Retry-After` as a receiver may send it: whole seconds, or an HTTP date (IMF-fixdate, the form RFC 9110 says
/// senders use) taken as the seconds until then; anything else is ignored, and so is a date gone by (a robot whose
/// clock is behind ours then gets its channel's usual wait, not none). At most a day, so that a hostile value
/// (`nan`, `inf`, `1e400`, a date years ahead) cannot pause a receiver for ever.
enum RetryAfter {
    static func seconds(_ text: String, now: Date = Date()) -> TimeInterval? {
        if !text.isEmpty, text.count <= 9, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text) {
            return TimeInterval(min(value, 86_400))
        }
        guard let date = httpDate(text), date > now else { return nil }
        return min(date.timeIntervalSince(now).rounded(.up), 86_400)
    }

    /// `Wed, 21 Oct 2026 07:28:00 GMT`: a day name, then two-digit day, month name, four-digit year, time, GMT.
    static func httpDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        let days = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, days.contains(String(parts[0])), parts[5] == "GMT", let month = months.firstIndex(of: String(parts[2])) else { return nil }
        let time = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        func number(_ part: Substring, digits: Int) -> Int? {
            part.count == digits && part.allSatisfy { $0.isASCII && $0.isNumber } ? Int(part) : nil
        }
        guard time.count == 3, let day = number(parts[1], digits: 2), let year = number(parts[3], digits: 4),
              let hour = number(time[0], digits: 2), let minute = number(time[1], digits: 2), let second = number(time[2], digits: 2)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT")!
        let components = DateComponents(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second)
        // A date that does not exist (31 Feb) is refused, not rolled over.
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}

/// `curl_global_init` once per process, before any other libcurl call.
enum CurlGlobal {
    private static let done: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    static func initialise() { _ = done }
}
