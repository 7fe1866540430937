/// A small RFC 4180 reader: comma-separated, fields optionally in double quotes ("" inside quotes is a
/// quote), LF or CRLF line ends. Enough for the province's data feeds and the seed files.
public struct CSVTable: Sendable {
    public let header: [String]
    /// Each row with the 1-based line number it starts on (line 1 is the header).
    public let rows: [(line: Int, fields: [String])]

    public init(parsing text: String) throws(CSVError) {
        var records: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var afterQuote = false
        var line = 1, recordLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endRecord() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields = []
        }

        while let scalar = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if scalar == "\"" {
                    let next = iterator.next()
                    if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; afterQuote = true; pending = next }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                fields.append(field); field = ""; afterQuote = false
            case "\r":
                continue
            case "\n":
                endRecord(); afterQuote = false
                line += 1; recordLine = line
            case "\"":
                guard field.isEmpty, !afterQuote else { throw CSVError(line: line, reason: "a quote inside an unquoted field") }
                inQuotes = true
            default:
                guard !afterQuote else { throw CSVError(line: line, reason: "text after a closing quote") }
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw CSVError(line: recordLine, reason: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }

        guard let first = records.first else { throw CSVError(line: 1, reason: "the file is empty") }
        header = first.1.map { $0.trimmingPrefix("\u{FEFF}") }.map(String.init)
        rows = records.dropFirst().map { (line: $0.0, fields: $0.1) }
    }

    /// The rows as dictionaries by column name; a row with the wrong number of fields is an error.
    public func records() throws(CSVError) -> [(line: Int, values: [String: String])] {
        try rows.map { row throws(CSVError) in
            guard row.fields.count == header.count else {
                throw CSVError(line: row.line, reason: "expected \(header.count) fields, found \(row.fields.count)")
            }
            return (row.line, Dictionary(uniqueKeysWithValues: zip(header, row.fields)))
        }
    }
}

public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let reason: String
    public var description: String { "line \(line): \(reason)" }

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}
