import GRDB

/// Versioned, append-only schema migrations. A migration that has shipped is never edited: add a new one.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001 look-up data") { db in
            try db.execute(sql: """
                CREATE TABLE divisions (
                    code TEXT PRIMARY KEY CHECK (length(code) IN (2, 4, 6, 9)),
                    name TEXT NOT NULL CHECK (name <> ''),
                    functional_zone INTEGER NOT NULL DEFAULT 0 CHECK (functional_zone IN (0, 1))
                ) WITHOUT ROWID;

                CREATE TABLE resource_types (
                    slug TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    position INTEGER NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE directory_entries (
                    id INTEGER PRIMARY KEY,
                    type TEXT NOT NULL REFERENCES resource_types(slug),
                    name TEXT NOT NULL CHECK (name <> ''),
                    division_code TEXT NOT NULL REFERENCES divisions(code),
                    address TEXT NOT NULL,
                    lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
                    lng REAL NOT NULL CHECK (lng BETWEEN -180 AND 180),
                    phone TEXT,
                    opening_hours TEXT,
                    services TEXT NOT NULL DEFAULT '[]',
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX directory_entries_type_division ON directory_entries(type, division_code, id);

                CREATE TABLE seed_imports (
                    checksum TEXT PRIMARY KEY,
                    imported_at TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }
}
